<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>pilot::gui::ClaimTemplateRow</name>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>size, e.g. 1Gi</source>
        <translation>容量，例如 1Gi</translation>
    </message>
    <message>
        <source>storage class (default)</source>
        <translation>存储类（默认）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ConfigMapForm</name>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Keys use letters, digits, '-', '_' and '.' (at most 253)</source>
        <translation>键只能包含字母、数字、“-”、“_”和“.”（最多 253 个字符）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ContainerPortRow</name>
    <message>
        <source>port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>name (optional)</source>
        <translation>名称（可选）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ContainerSection</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>e.g. nginx:1.27</source>
        <translation>例如 nginx:1.27</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>Pull policy</source>
        <translation>拉取策略</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>the image's entrypoint; one argument per line</source>
        <translation>镜像的入口命令；每行一个参数</translation>
    </message>
    <message>
        <source>the image's arguments; one per line</source>
        <translation>镜像的参数；每行一个</translation>
    </message>
    <message>
        <source>Add port</source>
        <translation>添加端口</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Add variable</source>
        <translation>添加变量</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <source>Add all keys of a ConfigMap or Secret</source>
        <translation>导入 ConfigMap 或 Secret 的全部键</translation>
    </message>
    <message>
        <source>Environment from</source>
        <translation>环境变量来源</translation>
    </message>
    <message>
        <source>CPU, e.g. 250m</source>
        <translation>CPU，例如 250m</translation>
    </message>
    <message>
        <source>memory, e.g. 256Mi</source>
        <translation>内存，例如 256Mi</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>限制</translation>
    </message>
    <message>
        <source>Resources</source>
        <translation>资源</translation>
    </message>
    <message>
        <source>Liveness probe</source>
        <translation>存活探针</translation>
    </message>
    <message>
        <source>Readiness probe</source>
        <translation>就绪探针</translation>
    </message>
    <message>
        <source>Add volume mount</source>
        <translation>添加卷挂载</translation>
    </message>
    <message>
        <source>Volume mounts</source>
        <translation>卷挂载</translation>
    </message>
</context>
<context>
    <name>pilot::gui::CronJobForm</name>
    <message>
        <source>Schedule</source>
        <translation>调度计划</translation>
    </message>
    <message>
        <source>Not a cron schedule: %1</source>
        <translation>不是有效的 cron 计划：%1</translation>
    </message>
    <message>
        <source>minute hour day month weekday, e.g. */15 * * * *</source>
        <translation>分 时 日 月 星期，例如 */15 * * * *</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <source>Unknown time zone (use an IANA name such as Europe/Berlin)</source>
        <translation>未知时区（请使用 IANA 名称，例如 Asia/Shanghai）</translation>
    </message>
    <message>
        <source>the controller's (UTC)</source>
        <translation>控制器的时区（UTC）</translation>
    </message>
    <message>
        <source>Allow overlapping runs</source>
        <translation>允许并发运行</translation>
    </message>
    <message>
        <source>Forbid: skip a run while one is active</source>
        <translation>禁止：有任务运行时跳过本次</translation>
    </message>
    <message>
        <source>Replace the active run</source>
        <translation>替换正在运行的任务</translation>
    </message>
    <message>
        <source>Concurrency</source>
        <translation>并发策略</translation>
    </message>
    <message>
        <source>Suspended (no new runs)</source>
        <translation>已暂停（不再创建新任务）</translation>
    </message>
    <message>
        <source>Keep succeeded Jobs</source>
        <translation>保留成功的 Job 数</translation>
    </message>
    <message>
        <source>default (3)</source>
        <translation>默认（3）</translation>
    </message>
    <message>
        <source>Keep failed Jobs</source>
        <translation>保留失败的 Job 数</translation>
    </message>
    <message>
        <source>default (1)</source>
        <translation>默认（1）</translation>
    </message>
    <message>
        <source>Starting deadline (s)</source>
        <translation>启动截止时间（秒）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Completions</source>
        <translation>完成次数</translation>
    </message>
    <message>
        <source>Parallelism</source>
        <translation>并行数</translation>
    </message>
    <message>
        <source>Retries (back-off limit)</source>
        <translation>重试次数（backoffLimit）</translation>
    </message>
    <message>
        <source>default (6)</source>
        <translation>默认（6）</translation>
    </message>
    <message>
        <source>CronJob names are at most 52 characters</source>
        <translation>CronJob 名称最多 52 个字符</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DaemonSetForm</name>
    <message>
        <source>Update strategy</source>
        <translation>更新策略</translation>
    </message>
    <message>
        <source>Min ready (s)</source>
        <translation>最短就绪时间（秒）</translation>
    </message>
    <message>
        <source>default (0)</source>
        <translation>默认（0）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DeploymentForm</name>
    <message>
        <source>Replicas</source>
        <translation>副本数</translation>
    </message>
    <message>
        <source>default (1)</source>
        <translation>默认（1）</translation>
    </message>
    <message>
        <source>Update strategy</source>
        <translation>更新策略</translation>
    </message>
    <message>
        <source>Also create a Service for the container ports</source>
        <translation>同时为容器端口创建 Service</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DiffView</name>
    <message>
        <source>Previous change</source>
        <translation>上一处变更</translation>
    </message>
    <message>
        <source>Next change</source>
        <translation>下一处变更</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>修改前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>修改后</translation>
    </message>
    <message>
        <source>No differences</source>
        <translation>没有差异</translation>
    </message>
    <message>
        <source>Changed lines: %1, added: %2, removed: %3</source>
        <translation>修改 %1 行，新增 %2 行，删除 %3 行</translation>
    </message>
</context>
<context>
    <name>pilot::gui::EnvFromRow</name>
    <message>
        <source>ConfigMap</source>
        <translation>ConfigMap</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Secret</translation>
    </message>
    <message>
        <source>ConfigMap name</source>
        <translation>ConfigMap 名称</translation>
    </message>
    <message>
        <source>Secret name</source>
        <translation>Secret 名称</translation>
    </message>
    <message>
        <source>prefix (optional)</source>
        <translation>前缀（可选）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::EnvVarRow</name>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>ConfigMap key</source>
        <translation>ConfigMap 键</translation>
    </message>
    <message>
        <source>Secret key</source>
        <translation>Secret 键</translation>
    </message>
    <message>
        <source>Other source</source>
        <translation>其他来源</translation>
    </message>
    <message>
        <source>(set in YAML)</source>
        <translation>（在 YAML 中设置）</translation>
    </message>
    <message>
        <source>ConfigMap name</source>
        <translation>ConfigMap 名称</translation>
    </message>
    <message>
        <source>Secret name</source>
        <translation>Secret 名称</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>变量名</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>pilot::gui::FormSection</name>
    <message>
        <source>Enter a whole number</source>
        <translation>请输入整数</translation>
    </message>
</context>
<context>
    <name>pilot::gui::HorizontalPodAutoscalerForm</name>
    <message>
        <source>Scales</source>
        <translation>伸缩对象</translation>
    </message>
    <message>
        <source>Workload name</source>
        <translation>工作负载名称</translation>
    </message>
    <message>
        <source>default (1)</source>
        <translation>默认（1）</translation>
    </message>
    <message>
        <source>Min replicas</source>
        <translation>最小副本数</translation>
    </message>
    <message>
        <source>Max replicas</source>
        <translation>最大副本数</translation>
    </message>
    <message>
        <source>not used</source>
        <translation>不使用</translation>
    </message>
    <message>
        <source>Target CPU utilization</source>
        <translation>目标 CPU 利用率</translation>
    </message>
    <message>
        <source>Target memory utilization</source>
        <translation>目标内存利用率</translation>
    </message>
</context>
<context>
    <name>pilot::gui::IngressForm</name>
    <message>
        <source>the cluster's default</source>
        <translation>集群默认</translation>
    </message>
    <message>
        <source>Ingress class</source>
        <translation>Ingress 类</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation>添加规则</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Add TLS certificate</source>
        <translation>添加 TLS 证书</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
</context>
<context>
    <name>pilot::gui::IngressPathRow</name>
    <message>
        <source>path, e.g. /api</source>
        <translation>路径，例如 /api</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>port</source>
        <translation>端口</translation>
    </message>
</context>
<context>
    <name>pilot::gui::IngressRuleRow</name>
    <message>
        <source>any host</source>
        <translation>任意主机</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Add path</source>
        <translation>添加路径</translation>
    </message>
    <message>
        <source>Paths</source>
        <translation>路径</translation>
    </message>
</context>
<context>
    <name>pilot::gui::IngressTlsRow</name>
    <message>
        <source>hosts, comma-separated</source>
        <translation>主机，以逗号分隔</translation>
    </message>
    <message>
        <source>Secret with tls.crt and tls.key</source>
        <translation>包含 tls.crt 和 tls.key 的 Secret</translation>
    </message>
</context>
<context>
    <name>pilot::gui::JobForm</name>
    <message>
        <source>Completions</source>
        <translation>完成次数</translation>
    </message>
    <message>
        <source>default (1)</source>
        <translation>默认（1）</translation>
    </message>
    <message>
        <source>Parallelism</source>
        <translation>并行数</translation>
    </message>
    <message>
        <source>Retries (back-off limit)</source>
        <translation>重试次数（backoffLimit）</translation>
    </message>
    <message>
        <source>default (6)</source>
        <translation>默认（6）</translation>
    </message>
    <message>
        <source>Deadline (s)</source>
        <translation>截止时间（秒）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Delete after finishing (s)</source>
        <translation>完成后删除（秒）</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
</context>
<context>
    <name>pilot::gui::KeyValueTable</name>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Paste .env / .properties…</source>
        <translation>粘贴 .env / .properties…</translation>
    </message>
    <message>
        <source>Add these entries</source>
        <translation>添加这些条目</translation>
    </message>
    <message>
        <source>KEY=value lines, as in a .env or .properties file</source>
        <translation>每行一个 KEY=value，与 .env 或 .properties 文件相同</translation>
    </message>
    <message>
        <source>Value of the selected key:</source>
        <translation>所选键的值：</translation>
    </message>
    <message>
        <source>A value needs a key</source>
        <translation>有值时必须填写键</translation>
    </message>
</context>
<context>
    <name>pilot::gui::KindForm</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>default</source>
        <translation>default</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ObjectEditor</name>
    <message>
        <source>Form</source>
        <translation>表单</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Ask the server for a dry run and show what would change</source>
        <translation>请服务器试运行（dry run）并显示将发生的变更</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Review the changes below, then apply them.</source>
        <translation>请检查下面的变更，然后应用。</translation>
    </message>
    <message>
        <source>Create now</source>
        <translation>立即创建</translation>
    </message>
    <message>
        <source>Apply changes</source>
        <translation>应用变更</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Live object</source>
        <translation>当前对象</translation>
    </message>
    <message>
        <source>After apply (server dry run)</source>
        <translation>应用后（服务器试运行）</translation>
    </message>
    <message>
        <source>The YAML has errors; fix them first (see the YAML tab).</source>
        <translation>YAML 有错误，请先修正（见 YAML 标签页）。</translation>
    </message>
    <message>
        <source>Some fields are not valid:</source>
        <translation>部分字段无效：</translation>
    </message>
    <message>
        <source>Not connected to a cluster.</source>
        <translation>未连接到集群。</translation>
    </message>
    <message>
        <source>No changes: the server already has this object.</source>
        <translation>没有变更：服务器上的对象已是这样。</translation>
    </message>
    <message>
        <source>Created: %1</source>
        <translation>已创建：%1</translation>
    </message>
    <message>
        <source>Applied: %1</source>
        <translation>已应用：%1</translation>
    </message>
    <message>
        <source>The server could not be reached: %1</source>
        <translation>无法连接服务器：%1</translation>
    </message>
    <message>
        <source>The server rejected %1: %2</source>
        <translation>服务器拒绝了 %1：%2</translation>
    </message>
</context>
<context>
    <name>pilot::gui::PersistentVolumeClaimForm</name>
    <message>
        <source>Access modes</source>
        <translation>访问模式</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>容量</translation>
    </message>
    <message>
        <source>e.g. 10Gi</source>
        <translation>例如 10Gi</translation>
    </message>
    <message>
        <source>the default class</source>
        <translation>默认存储类</translation>
    </message>
    <message>
        <source>Storage class</source>
        <translation>存储类</translation>
    </message>
    <message>
        <source>Volume mode</source>
        <translation>卷模式</translation>
    </message>
</context>
<context>
    <name>pilot::gui::PodTemplateSection</name>
    <message>
        <source>Pod labels</source>
        <translation>Pod 标签</translation>
    </message>
    <message>
        <source>Add container</source>
        <translation>添加容器</translation>
    </message>
    <message>
        <source>Containers</source>
        <translation>容器</translation>
    </message>
    <message>
        <source>Add volume</source>
        <translation>添加卷</translation>
    </message>
    <message>
        <source>Volumes</source>
        <translation>卷</translation>
    </message>
    <message>
        <source>Node selector</source>
        <translation>节点选择器</translation>
    </message>
    <message>
        <source>Add toleration</source>
        <translation>添加容忍</translation>
    </message>
    <message>
        <source>Tolerations</source>
        <translation>容忍</translation>
    </message>
    <message>
        <source>default</source>
        <translation>default</translation>
    </message>
    <message>
        <source>Service account</source>
        <translation>服务账户</translation>
    </message>
    <message>
        <source>Restart policy</source>
        <translation>重启策略</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ProbeSection</name>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>HTTP GET</source>
        <translation>HTTP GET 请求</translation>
    </message>
    <message>
        <source>TCP socket</source>
        <translation>TCP 端口</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>port number or name</source>
        <translation>端口号或名称</translation>
    </message>
    <message>
        <source>one argument per line</source>
        <translation>每行一个参数</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Initial delay (s)</source>
        <translation>初始延迟（秒）</translation>
    </message>
    <message>
        <source>default (0)</source>
        <translation>默认（0）</translation>
    </message>
    <message>
        <source>Period (s)</source>
        <translation>检查间隔（秒）</translation>
    </message>
    <message>
        <source>default (10)</source>
        <translation>默认（10）</translation>
    </message>
    <message>
        <source>Timeout (s)</source>
        <translation>超时（秒）</translation>
    </message>
    <message>
        <source>default (1)</source>
        <translation>默认（1）</translation>
    </message>
    <message>
        <source>Failure threshold</source>
        <translation>失败阈值</translation>
    </message>
    <message>
        <source>default (3)</source>
        <translation>默认（3）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::RecordList</name>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>pilot::gui::RolloutHistoryWidget</name>
    <message>
        <source>Revision</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Change cause</source>
        <translation>变更原因</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>已更新</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>Roll back to this revision</source>
        <translation>回滚到此版本</translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Roll %1 back to revision %2?</source>
        <translation>将 %1 回滚到版本 %2？</translation>
    </message>
    <message>
        <source>Rollout history</source>
        <translation>发布历史</translation>
    </message>
    <message>
        <source>Rollout history of %1 %2</source>
        <translation>%1 %2 的发布历史</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Waiting for the controller to see the change…</source>
        <translation>等待控制器处理变更…</translation>
    </message>
    <message>
        <source>Paused: changes to the pod template are not rolled out until resumed</source>
        <translation>已暂停：恢复之前 Pod 模板的变更不会发布</translation>
    </message>
    <message>
        <source>Stalled: the rollout exceeded its progress deadline</source>
        <translation>停滞：发布超过了进度截止时间</translation>
    </message>
    <message>
        <source>Rolled out: %1 of %2 replicas updated and available</source>
        <translation>发布完成：%1 / %2 个副本已更新并可用</translation>
    </message>
    <message>
        <source>Rolling out: %1 of %2 new replicas updated…</source>
        <translation>发布中：%1 / %2 个新副本已更新…</translation>
    </message>
    <message>
        <source>Rolling out: %1 old replicas are pending termination…</source>
        <translation>发布中：%1 个旧副本等待终止…</translation>
    </message>
    <message>
        <source>Rolling out: %1 of %2 updated replicas are available…</source>
        <translation>发布中：%1 / %2 个已更新副本可用…</translation>
    </message>
    <message>
        <source>%1 (current)</source>
        <translation>%1（当前）</translation>
    </message>
    <message>
        <source>&lt;none&gt;</source>
        <translation>&lt;无&gt;</translation>
    </message>
    <message>
        <source>Revision %1</source>
        <translation>版本 %1</translation>
    </message>
    <message>
        <source>A paused rollout cannot be rolled back; resume it first.</source>
        <translation>已暂停的发布不能回滚，请先恢复。</translation>
    </message>
    <message>
        <source>Nothing to do: the current template already matches revision %1.</source>
        <translation>无需操作：当前模板已与版本 %1 相同。</translation>
    </message>
    <message>
        <source>Revision %1 is gone.</source>
        <translation>版本 %1 已不存在。</translation>
    </message>
    <message>
        <source>The rollback failed: %1</source>
        <translation>回滚失败：%1</translation>
    </message>
    <message>
        <source>Rolling back to revision %1.</source>
        <translation>正在回滚到版本 %1。</translation>
    </message>
</context>
<context>
    <name>pilot::gui::SecretForm</name>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>(binary data, %1 bytes)</source>
        <translation>（二进制数据，%1 字节）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ServiceForm</name>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Headless (no cluster IP; DNS names the pods)</source>
        <translation>Headless（无集群 IP；DNS 直接解析到 Pod）</translation>
    </message>
    <message>
        <source>Pod selector</source>
        <translation>Pod 选择器</translation>
    </message>
    <message>
        <source>Add port</source>
        <translation>添加端口</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>e.g. db.example.com</source>
        <translation>例如 db.example.com</translation>
    </message>
    <message>
        <source>External name</source>
        <translation>外部名称</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ServicePortRow</name>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>target port (number or name)</source>
        <translation>目标端口（端口号或名称）</translation>
    </message>
    <message>
        <source>node port (automatic)</source>
        <translation>节点端口（自动分配）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::StatefulSetForm</name>
    <message>
        <source>Replicas</source>
        <translation>副本数</translation>
    </message>
    <message>
        <source>default (1)</source>
        <translation>默认（1）</translation>
    </message>
    <message>
        <source>Service name</source>
        <translation>Service 名称</translation>
    </message>
    <message>
        <source>the headless Service that gives the pods their names</source>
        <translation>为 Pod 提供名称的 Headless Service</translation>
    </message>
    <message>
        <source>Default (OrderedReady)</source>
        <translation>默认（OrderedReady）</translation>
    </message>
    <message>
        <source>Pod management</source>
        <translation>Pod 管理策略</translation>
    </message>
    <message>
        <source>Update strategy</source>
        <translation>更新策略</translation>
    </message>
    <message>
        <source>Add volume claim template</source>
        <translation>添加存储卷申请模板</translation>
    </message>
    <message>
        <source>Volume claims</source>
        <translation>存储卷申请</translation>
    </message>
</context>
<context>
    <name>pilot::gui::StrategySection</name>
    <message>
        <source>Max surge</source>
        <translation>最大超量</translation>
    </message>
    <message>
        <source>Max unavailable</source>
        <translation>最大不可用</translation>
    </message>
    <message>
        <source>Partition</source>
        <translation>分区</translation>
    </message>
</context>
<context>
    <name>pilot::gui::TolerationRow</name>
    <message>
        <source>forever</source>
        <translation>永久</translation>
    </message>
    <message>
        <source>key (empty: all)</source>
        <translation>键（为空表示全部）</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>All effects</source>
        <translation>所有效果</translation>
    </message>
</context>
<context>
    <name>pilot::gui::Validators</name>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (at most 253 characters)</source>
        <translation>只能使用小写字母、数字、“-”和“.”，并以字母或数字开头和结尾（最多 253 个字符）</translation>
    </message>
    <message>
        <source>Use lowercase letters, digits and '-', starting and ending with a letter or digit (at most 63 characters)</source>
        <translation>只能使用小写字母、数字和“-”，并以字母或数字开头和结尾（最多 63 个字符）</translation>
    </message>
    <message>
        <source>Use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (at most 63 characters)</source>
        <translation>只能使用小写字母、数字和“-”，以字母开头、以字母或数字结尾（最多 63 个字符）</translation>
    </message>
    <message>
        <source>Not a quantity: use a number with an optional suffix, e.g. 500m, 2, 128Mi, 1Gi</source>
        <translation>不是有效的数量：请使用数字加可选单位，例如 500m、2、128Mi、1Gi</translation>
    </message>
    <message>
        <source>A port number is 1 to 65535</source>
        <translation>端口号必须在 1 到 65535 之间</translation>
    </message>
    <message>
        <source>Enter a port number or a port name (lowercase, at most 15 characters)</source>
        <translation>请输入端口号或端口名称（小写，最多 15 个字符）</translation>
    </message>
    <message>
        <source>Enter a number or a percentage such as 25%</source>
        <translation>请输入数字或百分比，例如 25%</translation>
    </message>
    <message>
        <source>Keys are an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit</source>
        <translation>键由可选的 DNS 前缀加“/”和最多 63 个字母、数字、“-”、“_”或“.”组成，并以字母或数字开头和结尾</translation>
    </message>
    <message>
        <source>Values are at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit</source>
        <translation>值最多 63 个字母、数字、“-”、“_”或“.”，并以字母或数字开头和结尾</translation>
    </message>
</context>
<context>
    <name>pilot::gui::VolumeMountRow</name>
    <message>
        <source>volume</source>
        <translation>卷</translation>
    </message>
    <message>
        <source>mount path, e.g. /data</source>
        <translation>挂载路径，例如 /data</translation>
    </message>
    <message>
        <source>sub-path (optional)</source>
        <translation>子路径（可选）</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>只读</translation>
    </message>
</context>
<context>
    <name>pilot::gui::VolumeRow</name>
    <message>
        <source>Node disk</source>
        <translation>节点磁盘</translation>
    </message>
    <message>
        <source>Memory (tmpfs)</source>
        <translation>内存（tmpfs）</translation>
    </message>
    <message>
        <source>size limit, e.g. 1Gi</source>
        <translation>容量上限，例如 1Gi</translation>
    </message>
    <message>
        <source>ConfigMap name</source>
        <translation>ConfigMap 名称</translation>
    </message>
    <message>
        <source>Secret name</source>
        <translation>Secret 名称</translation>
    </message>
    <message>
        <source>PersistentVolumeClaim name</source>
        <translation>PersistentVolumeClaim 名称</translation>
    </message>
    <message>
        <source>path on the node, e.g. /var/log</source>
        <translation>节点上的路径，例如 /var/log</translation>
    </message>
    <message>
        <source>(set in YAML)</source>
        <translation>（在 YAML 中设置）</translation>
    </message>
    <message>
        <source>Empty directory</source>
        <translation>空目录（emptyDir）</translation>
    </message>
    <message>
        <source>ConfigMap</source>
        <translation>ConfigMap</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Secret</translation>
    </message>
    <message>
        <source>PersistentVolumeClaim</source>
        <translation>PersistentVolumeClaim</translation>
    </message>
    <message>
        <source>Host path</source>
        <translation>主机路径</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
</context>
<context>
    <name>pilot::gui::WorkloadForm</name>
    <message>
        <source>Pod template</source>
        <translation>Pod 模板</translation>
    </message>
</context>
<context>
    <name>pilot::gui::YamlDiagnostics</name>
    <message>
        <source>A Kubernetes object must be a mapping with apiVersion, kind and metadata</source>
        <translation>Kubernetes 对象必须是包含 apiVersion、kind 和 metadata 的映射</translation>
    </message>
    <message>
        <source>Required value</source>
        <translation>必填字段</translation>
    </message>
</context>
<context>
    <name>pilot::gui::YamlView</name>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
</context>
</TS>
