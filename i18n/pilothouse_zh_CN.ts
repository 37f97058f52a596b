<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>pilot::gui::ActionController</name>
    <message>
        <source>Scale…</source>
        <translation>扩缩容…</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>重启</translation>
    </message>
    <message>
        <source>Change image…</source>
        <translation>更换镜像…</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Edit labels…</source>
        <translation>编辑标签…</translation>
    </message>
    <message>
        <source>Edit taints…</source>
        <translation>编辑污点…</translation>
    </message>
    <message>
        <source>Cordon</source>
        <translation>禁止调度</translation>
    </message>
    <message>
        <source>Uncordon</source>
        <translation>允许调度</translation>
    </message>
    <message>
        <source>Drain…</source>
        <translation>排空…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>%1: done</source>
        <translation>%1：已完成</translation>
    </message>
    <message>
        <source>%1: failed: %2</source>
        <translation>%1：失败：%2</translation>
    </message>
    <message>
        <source>Node %1 drained</source>
        <translation>节点 %1 已排空</translation>
    </message>
    <message>
        <source>Drain of node %1 failed: %2</source>
        <translation>排空节点 %1 失败：%2</translation>
    </message>
    <message numerus="yes">
        <source>%n object(s)</source>
        <translation>
            <numerusform>%n 个对象</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete %1? This cannot be undone.</source>
        <translation>确定删除 %1 吗？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>pilot::gui::AppOptions</name>
    <message>
        <source>Pilothouse: manage Kubernetes clusters, or run one locally.</source>
        <translation>Pilothouse：管理 Kubernetes 集群，或在本机运行一个集群。</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>显示此帮助。</translation>
    </message>
    <message>
        <source>Show the version.</source>
        <translation>显示版本。</translation>
    </message>
    <message>
        <source>Kubeconfig file (default: $KUBECONFIG or ~/.kube/config).</source>
        <translation>kubeconfig 文件（默认：$KUBECONFIG 或 ~/.kube/config）。</translation>
    </message>
    <message>
        <source>Context to open at start.</source>
        <translation>启动时打开的上下文。</translation>
    </message>
    <message>
        <source>Start the bundled local cluster (engine and agent).</source>
        <translation>启动内置的本地集群（引擎和节点代理）。</translation>
    </message>
    <message>
        <source>User interface language (en, zh_CN).</source>
        <translation>界面语言（en、zh_CN）。</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ClientApplier</name>
    <message>
        <source>the response is not an object</source>
        <translation>响应不是一个对象</translation>
    </message>
    <message>
        <source>%1: this cluster does not serve %2 %3</source>
        <translation>%1：此集群不提供 %2 %3</translation>
    </message>
    <message>
        <source>the cluster was closed</source>
        <translation>集群已关闭</translation>
    </message>
</context>
<context>
    <name>pilot::gui::Command</name>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ConfigMapModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ConnectionBanner</name>
    <message>
        <source>Reconnect now</source>
        <translation>立即重连</translation>
    </message>
    <message>
        <source>Cannot reach cluster %1. Showing the last data received; reconnecting automatically.</source>
        <translation>无法连接集群 %1。当前显示最后收到的数据，正在自动重连。</translation>
    </message>
</context>
<context>
    <name>pilot::gui::CordonCommand</name>
    <message>
        <source>Cordon node %1</source>
        <translation>禁止调度节点 %1</translation>
    </message>
    <message>
        <source>Uncordon node %1</source>
        <translation>允许调度节点 %1</translation>
    </message>
</context>
<context>
    <name>pilot::gui::CreateObjectDialog</name>
    <message>
        <source>Create %1</source>
        <translation>创建 %1</translation>
    </message>
</context>
<context>
    <name>pilot::gui::CronJobModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>调度计划</translation>
    </message>
    <message>
        <source>Suspend</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Last schedule</source>
        <translation>上次调度</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
    <message>
        <source>True</source>
        <translation>是</translation>
    </message>
    <message>
        <source>False</source>
        <translation>否</translation>
    </message>
    <message>
        <source>&lt;none&gt;</source>
        <translation>&lt;无&gt;</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DaemonSetModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Desired</source>
        <translation>期望</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Up-to-date</source>
        <translation>已更新</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>Node selector</source>
        <translation>节点选择器</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DashboardView</name>
    <message>
        <source>Nodes</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Pods by phase</source>
        <translation>容器组状态分布</translation>
    </message>
    <message>
        <source>Workloads by health</source>
        <translation>工作负载健康状况</translation>
    </message>
    <message>
        <source>CPU and memory</source>
        <translation>CPU 与内存</translation>
    </message>
    <message>
        <source>Recent warning events</source>
        <translation>最近的警告事件</translation>
    </message>
    <message>
        <source>Metrics unavailable: no node reports CPU and memory through metrics.k8s.io yet (Pilothouse node agents or a metrics server provide them).</source>
        <translation>监控指标不可用：尚无节点通过 metrics.k8s.io 报告 CPU 和内存使用情况（由 Pilothouse 节点代理或 metrics-server 提供）。</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>Progressing</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Degraded</source>
        <translation>异常</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>已成功</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>已失败</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n node(s) ready</source>
        <translation>
            <numerusform>%n 个节点中 %1 个就绪</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not ready</source>
        <translation>
            <numerusform>%n 个未就绪</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cordoned</source>
        <translation>
            <numerusform>%n 个已禁止调度</numerusform>
        </translation>
    </message>
    <message>
        <source>Allocatable: %1 CPU, %2 memory</source>
        <translation>可分配：%1 CPU，%2 内存</translation>
    </message>
    <message numerus="yes">
        <source>%n pod(s)</source>
        <translation>
            <numerusform>%n 个容器组</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <comment>pods: phases</comment>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>, </source>
        <comment>list separator</comment>
        <translation>，</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DeleteCommand</name>
    <message>
        <source>Delete %1</source>
        <translation>删除 %1</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n object(s)</source>
        <translation>
            <numerusform>删除 %n 个对象</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pilot::gui::DeploymentModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Up-to-date</source>
        <translation>已更新</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>镜像</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DetailView</name>
    <message>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Conditions</source>
        <translation>状况</translation>
    </message>
    <message>
        <source>Pods</source>
        <translation>容器组</translation>
    </message>
    <message>
        <source>Related objects</source>
        <translation>关联对象</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Last transition</source>
        <translation>最后变更</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>This object was deleted. The last known state is shown.</source>
        <translation>此对象已被删除，显示的是最后已知的状态。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Annotations</source>
        <translation>注解</translation>
    </message>
    <message>
        <source>Replicas</source>
        <translation>副本</translation>
    </message>
    <message>
        <source>%1 desired, %2 updated, %3 ready, %4 available</source>
        <translation>期望 %1，已更新 %2，就绪 %3，可用 %4</translation>
    </message>
    <message>
        <source>Selector</source>
        <translation>选择器</translation>
    </message>
    <message>
        <source>Containers</source>
        <translation>容器</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>更新策略</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>%1 desired, %2 ready, %3 updated</source>
        <translation>期望 %1，就绪 %2，已更新 %3</translation>
    </message>
    <message>
        <source>Completions</source>
        <translation>完成数</translation>
    </message>
    <message>
        <source>Parallelism</source>
        <translation>并行数</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>调度计划</translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Last schedule</source>
        <translation>上次调度</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Pod IP</source>
        <translation>容器组 IP</translation>
    </message>
    <message>
        <source>QoS class</source>
        <translation>QoS 类别</translation>
    </message>
    <message>
        <source>Cluster IP</source>
        <translation>集群 IP</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>存储卷</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>容量</translation>
    </message>
    <message>
        <source>Storage class</source>
        <translation>存储类</translation>
    </message>
    <message>
        <source>Kubelet version</source>
        <translation>Kubelet 版本</translation>
    </message>
    <message>
        <source>OS image</source>
        <translation>操作系统镜像</translation>
    </message>
    <message>
        <source>%1 CPU, %2 memory, %3 pods</source>
        <translation>%1 CPU，%2 内存，%3 个容器组</translation>
    </message>
    <message>
        <source>Unschedulable</source>
        <translation>不可调度</translation>
    </message>
    <message>
        <source>Taints</source>
        <translation>污点</translation>
    </message>
    <message>
        <source>Owner: %1 %2</source>
        <translation>所有者：%1 %2</translation>
    </message>
    <message>
        <source>Node: %1</source>
        <translation>节点：%1</translation>
    </message>
    <message>
        <source>Volume: %1</source>
        <translation>存储卷：%1</translation>
    </message>
    <message>
        <source>Service: %1</source>
        <translation>服务：%1</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DrainCommand</name>
    <message>
        <source>drain of node %1 timed out with %2 pod(s) left</source>
        <translation>排空节点 %1 超时，剩余 %2 个容器组</translation>
    </message>
    <message>
        <source>Drain node %1</source>
        <translation>排空节点 %1</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>cannot delete DaemonSet-managed pods (ignore DaemonSets to continue): %1</source>
        <translation>无法删除由守护进程集管理的容器组（选择忽略守护进程集后可继续）：%1</translation>
    </message>
    <message>
        <source>cannot delete pods that are not managed by a controller (force to continue): %1</source>
        <translation>无法删除不受控制器管理的容器组（选择强制后可继续）：%1</translation>
    </message>
    <message>
        <source>Cordoning node %1</source>
        <translation>正在禁止调度节点 %1</translation>
    </message>
    <message numerus="yes">
        <source>Evicting %n pod(s)</source>
        <translation>
            <numerusform>正在驱逐 %n 个容器组</numerusform>
        </translation>
    </message>
    <message>
        <source>Waiting for a disruption budget to allow evicting %1/%2</source>
        <translation>等待干扰预算（PodDisruptionBudget）允许驱逐 %1/%2</translation>
    </message>
    <message>
        <source>evicting %1/%2: %3</source>
        <translation>驱逐 %1/%2：%3</translation>
    </message>
    <message>
        <source>%1 of %2 pod(s) evicted</source>
        <translation>已驱逐 %1/%2 个容器组</translation>
    </message>
</context>
<context>
    <name>pilot::gui::DrainDialog</name>
    <message>
        <source>Drain node %1</source>
        <translation>排空节点 %1</translation>
    </message>
    <message>
        <source>Draining marks the node unschedulable and evicts its pods. Evictions respect PodDisruptionBudgets and wait when a budget does not allow them yet.</source>
        <translation>排空会将节点标记为不可调度并驱逐其上的容器组。驱逐遵守干扰预算（PodDisruptionBudget），预算暂不允许时会等待。</translation>
    </message>
    <message>
        <source>Ignore DaemonSet pods</source>
        <translation>忽略守护进程集的容器组</translation>
    </message>
    <message>
        <source>Also evict pods that no controller manages</source>
        <translation>同时驱逐不受控制器管理的容器组</translation>
    </message>
    <message>
        <source>%v of %m pods</source>
        <translation>%v / %m 个容器组</translation>
    </message>
    <message>
        <source>Drain</source>
        <translation>排空</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Node %1 drained.</source>
        <translation>节点 %1 已排空。</translation>
    </message>
    <message>
        <source>Drain failed: %1</source>
        <translation>排空失败：%1</translation>
    </message>
</context>
<context>
    <name>pilot::gui::EditorTab</name>
    <message>
        <source>This object changed on the server since you started editing it.</source>
        <translation>自你开始编辑以来，此对象已在服务器上被修改。</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Load the live object, dropping your unapplied changes</source>
        <translation>加载服务器上的最新对象，放弃尚未应用的修改</translation>
    </message>
</context>
<context>
    <name>pilot::gui::EventModel</name>
    <message>
        <source>Last seen</source>
        <translation>最后出现</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>次数</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ImageDialog</name>
    <message>
        <source>Change image</source>
        <translation>更换镜像</translation>
    </message>
    <message>
        <source>Object:</source>
        <translation>对象：</translation>
    </message>
    <message>
        <source>Container:</source>
        <translation>容器：</translation>
    </message>
    <message>
        <source>Image:</source>
        <translation>镜像：</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>pilot::gui::Informer</name>
    <message>
        <source>the watch closed at once</source>
        <translation>监听连接立即被关闭</translation>
    </message>
</context>
<context>
    <name>pilot::gui::IngressModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类</translation>
    </message>
    <message>
        <source>Hosts</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::JobModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Completions</source>
        <translation>完成数</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::KubeClient</name>
    <message>
        <source>request timed out</source>
        <translation>请求超时</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>no data for too long</source>
        <translation>长时间未收到数据</translation>
    </message>
</context>
<context>
    <name>pilot::gui::LabelsDialog</name>
    <message>
        <source>Edit labels</source>
        <translation>编辑标签</translation>
    </message>
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
        <translation>移除</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>pilot::gui::LocalCluster</name>
    <message>
        <source>The engine was not found at %1</source>
        <translation>未在 %1 找到引擎</translation>
    </message>
    <message>
        <source>The engine</source>
        <translation>引擎</translation>
    </message>
    <message>
        <source>The agent</source>
        <translation>节点代理</translation>
    </message>
    <message>
        <source>%1 stopped unexpectedly (exit code %2); see the log in %3</source>
        <translation>%1 意外停止（退出码 %2）；请查看 %3 中的日志</translation>
    </message>
</context>
<context>
    <name>pilot::gui::LogView</name>
    <message>
        <source>Container:</source>
        <translation>容器：</translation>
    </message>
    <message>
        <source>Last lines:</source>
        <translation>最近行数：</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation>持续跟踪</translation>
    </message>
    <message>
        <source>Stream new lines as the container writes them</source>
        <translation>容器写出新日志时实时显示</translation>
    </message>
    <message>
        <source>Previous instance</source>
        <translation>上一个实例</translation>
    </message>
    <message>
        <source>The log of the container&apos;s last terminated run</source>
        <translation>容器上一次已终止运行的日志</translation>
    </message>
    <message>
        <source>Timestamps</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <source>Search the log</source>
        <translation>搜索日志</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>%1 (init)</source>
        <translation>%1（初始化容器）</translation>
    </message>
    <message>
        <source>Following the log of %1…</source>
        <translation>正在跟踪 %1 的日志…</translation>
    </message>
    <message>
        <source>Loading the log of %1…</source>
        <translation>正在加载 %1 的日志…</translation>
    </message>
    <message>
        <source>The log of %1 ended: the container stopped.</source>
        <translation>%1 的日志已结束：容器已停止。</translation>
    </message>
    <message numerus="yes">
        <source>%n line(s).</source>
        <translation>
            <numerusform>共 %n 行。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Showing the last %n line(s); %1 older dropped.</source>
        <translation>
            <numerusform>显示最近 %n 行；已丢弃较早的 %1 行。</numerusform>
        </translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>无匹配</translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n 处匹配</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>第 %1 处，共 %2 处</translation>
    </message>
    <message>
        <source>Save log</source>
        <translation>保存日志</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>Saved %n line(s) to %1.</source>
        <translation>
            <numerusform>已将 %n 行保存到 %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
</context>
<context>
    <name>pilot::gui::MainWindow</name>
    <message>
        <source>About Pilothouse</source>
        <translation>关于 Pilothouse</translation>
    </message>
    <message>
        <source>Pilothouse 0.1.0
A desktop Kubernetes console with a bundled lightweight cluster.</source>
        <translation>Pilothouse 0.1.0
桌面 Kubernetes 控制台，内置轻量级集群。</translation>
    </message>
    <message>
        <source>Pilothouse</source>
        <translation>Pilothouse</translation>
    </message>
    <message>
        <source>Pilothouse — %1</source>
        <translation>Pilothouse — %1</translation>
    </message>
    <message>
        <source>Browse</source>
        <translation>浏览</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open kubeconfig…</source>
        <translation>打开 kubeconfig…</translation>
    </message>
    <message>
        <source>Start local cluster</source>
        <translation>启动本地集群</translation>
    </message>
    <message>
        <source>Stop local cluster</source>
        <translation>停止本地集群</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>&amp;Cluster</source>
        <translation>集群(&amp;C)</translation>
    </message>
    <message>
        <source>Open selected context</source>
        <translation>打开所选上下文</translation>
    </message>
    <message>
        <source>Close selected context</source>
        <translation>关闭所选上下文</translation>
    </message>
    <message>
        <source>Reconnect now</source>
        <translation>立即重连</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>Local cluster: stopped</source>
        <translation>本地集群：已停止</translation>
    </message>
    <message>
        <source>Local cluster: engine ready, starting the agent…</source>
        <translation>本地集群：引擎已就绪，正在启动节点代理…</translation>
    </message>
    <message>
        <source>Local cluster: starting…</source>
        <translation>本地集群：正在启动…</translation>
    </message>
    <message>
        <source>Local cluster: running (engine and agent)</source>
        <translation>本地集群：运行中（引擎和节点代理）</translation>
    </message>
    <message>
        <source>Local cluster: running (engine only, no agent installed)</source>
        <translation>本地集群：运行中（仅引擎，未安装节点代理）</translation>
    </message>
    <message>
        <source>Local cluster: stopping…</source>
        <translation>本地集群：正在停止…</translation>
    </message>
    <message>
        <source>Local cluster: failed: %1</source>
        <translation>本地集群：失败：%1</translation>
    </message>
    <message>
        <source>Open kubeconfig</source>
        <translation>打开 kubeconfig</translation>
    </message>
    <message>
        <source>Local cluster: running (started by another Pilothouse)</source>
        <translation>本地集群：运行中（由另一个 Pilothouse 启动）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::NamespaceModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::NavigationModel</name>
    <message>
        <source>Workloads</source>
        <translation>工作负载</translation>
    </message>
    <message>
        <source>Services &amp; Ingress</source>
        <translation>服务与路由</translation>
    </message>
    <message>
        <source>Config</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>存储</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>集群</translation>
    </message>
    <message>
        <source>Custom resources</source>
        <translation>自定义资源</translation>
    </message>
    <message>
        <source>Deployments</source>
        <translation>无状态（Deployment）</translation>
    </message>
    <message>
        <source>StatefulSets</source>
        <translation>有状态（StatefulSet）</translation>
    </message>
    <message>
        <source>DaemonSets</source>
        <translation>守护进程集（DaemonSet）</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>任务（Job）</translation>
    </message>
    <message>
        <source>CronJobs</source>
        <translation>定时任务（CronJob）</translation>
    </message>
    <message>
        <source>Pods</source>
        <translation>容器组</translation>
    </message>
    <message>
        <source>Services</source>
        <translation>服务（Service）</translation>
    </message>
    <message>
        <source>Ingresses</source>
        <translation>路由（Ingress）</translation>
    </message>
    <message>
        <source>ConfigMaps</source>
        <translation>配置项（ConfigMap）</translation>
    </message>
    <message>
        <source>Secrets</source>
        <translation>保密字典（Secret）</translation>
    </message>
    <message>
        <source>Persistent volume claims</source>
        <translation>存储声明（PVC）</translation>
    </message>
    <message>
        <source>Persistent volumes</source>
        <translation>存储卷（PV）</translation>
    </message>
    <message>
        <source>Storage classes</source>
        <translation>存储类（StorageClass）</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Namespaces</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>All namespaces</source>
        <translation>全部命名空间</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
</context>
<context>
    <name>pilot::gui::NavigationView</name>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Connect to the selected context</source>
        <translation>连接所选上下文</translation>
    </message>
    <message>
        <source>Disconnect from the selected context</source>
        <translation>断开所选上下文</translation>
    </message>
</context>
<context>
    <name>pilot::gui::NodeModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Internal IP</source>
        <translation>内部 IP</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Pods</source>
        <translation>容器组</translation>
    </message>
    <message>
        <source>Taints</source>
        <translation>污点</translation>
    </message>
</context>
<context>
    <name>pilot::gui::PauseCommand</name>
    <message>
        <source>Pause %1</source>
        <translation>暂停 %1</translation>
    </message>
    <message>
        <source>Resume %1</source>
        <translation>恢复 %1</translation>
    </message>
</context>
<context>
    <name>pilot::gui::PodModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Restarts</source>
        <translation>重启次数</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
    <message>
        <source>IP</source>
        <translation>IP</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
</context>
<context>
    <name>pilot::gui::PvModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>容量</translation>
    </message>
    <message>
        <source>Access modes</source>
        <translation>访问模式</translation>
    </message>
    <message>
        <source>Reclaim policy</source>
        <translation>回收策略</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>声明</translation>
    </message>
    <message>
        <source>Storage class</source>
        <translation>存储类</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::PvcModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>存储卷</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>容量</translation>
    </message>
    <message>
        <source>Access modes</source>
        <translation>访问模式</translation>
    </message>
    <message>
        <source>Storage class</source>
        <translation>存储类</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ResourceListView</name>
    <message>
        <source>Label selector: %1</source>
        <translation>标签选择器：%1</translation>
    </message>
    <message>
        <source>%1 in all namespaces</source>
        <translation>全部命名空间中的%1</translation>
    </message>
    <message>
        <source>%1 in namespace %2</source>
        <translation>命名空间 %2 中的%1</translation>
    </message>
    <message>
        <source>Filter by name or text</source>
        <translation>按名称或文本筛选</translation>
    </message>
    <message>
        <source>Label selector, e.g. app=web,tier!=db</source>
        <translation>标签选择器，例如 app=web,tier!=db</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message numerus="yes">
        <source>%n object(s)</source>
        <translation>
            <numerusform>%n 个对象</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n object(s)</source>
        <translation>
            <numerusform>%1 / %n 个对象</numerusform>
        </translation>
    </message>
    <message>
        <source>Create…</source>
        <translation>创建…</translation>
    </message>
</context>
<context>
    <name>pilot::gui::RestartCommand</name>
    <message>
        <source>Restart %1</source>
        <translation>重启 %1</translation>
    </message>
</context>
<context>
    <name>pilot::gui::RolloutTab</name>
    <message>
        <source>Rollout</source>
        <translation>发布历史</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ScaleCommand</name>
    <message numerus="yes">
        <source>Scale %1 to %n replica(s)</source>
        <translation>
            <numerusform>将 %1 扩缩容到 %n 个副本</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pilot::gui::ScaleDialog</name>
    <message>
        <source>Scale</source>
        <translation>扩缩容</translation>
    </message>
    <message>
        <source>Object:</source>
        <translation>对象：</translation>
    </message>
    <message>
        <source>Replicas:</source>
        <translation>副本数：</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>pilot::gui::SecretModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::ServiceModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Cluster IP</source>
        <translation>集群 IP</translation>
    </message>
    <message>
        <source>External IP</source>
        <translation>外部 IP</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::SetImageCommand</name>
    <message>
        <source>Set image of container %1 in %2 to %3</source>
        <translation>将 %2 中容器 %1 的镜像更换为 %3</translation>
    </message>
</context>
<context>
    <name>pilot::gui::SetLabelsCommand</name>
    <message>
        <source>Edit labels of %1</source>
        <translation>编辑 %1 的标签</translation>
    </message>
</context>
<context>
    <name>pilot::gui::SetTaintsCommand</name>
    <message>
        <source>Edit taints of node %1</source>
        <translation>编辑节点 %1 的污点</translation>
    </message>
</context>
<context>
    <name>pilot::gui::StatefulSetModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>镜像</translation>
    </message>
</context>
<context>
    <name>pilot::gui::StorageClassModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Provisioner</source>
        <translation>供应者</translation>
    </message>
    <message>
        <source>Reclaim policy</source>
        <translation>回收策略</translation>
    </message>
    <message>
        <source>Volume binding mode</source>
        <translation>卷绑定模式</translation>
    </message>
    <message>
        <source>Allow expansion</source>
        <translation>允许扩容</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>（默认）</translation>
    </message>
    <message>
        <source>True</source>
        <translation>是</translation>
    </message>
    <message>
        <source>False</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>pilot::gui::TableModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>创建时长</translation>
    </message>
</context>
<context>
    <name>pilot::gui::TaintsDialog</name>
    <message>
        <source>Edit taints</source>
        <translation>编辑污点</translation>
    </message>
    <message>
        <source>Node %1</source>
        <translation>节点 %1</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Effect</source>
        <translation>效果</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>pilot::gui::UsageChart</name>
    <message>
        <source>Cluster CPU (cores)</source>
        <translation>集群 CPU（核）</translation>
    </message>
    <message>
        <source>Cluster memory (GiB)</source>
        <translation>集群内存（GiB）</translation>
    </message>
    <message>
        <source>CPU by node (cores)</source>
        <translation>各节点 CPU（核）</translation>
    </message>
    <message>
        <source>Memory by node (GiB)</source>
        <translation>各节点内存（GiB）</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>集群</translation>
    </message>
</context>
<context>
    <name>pilot::gui::WelcomeView</name>
    <message>
        <source>Welcome to Pilothouse</source>
        <translation>欢迎使用 Pilothouse</translation>
    </message>
    <message>
        <source>Choose a cluster on the left and press Open (or double-click it). Several clusters can be open at once.</source>
        <translation>在左侧选择一个集群并点击“打开”（或双击它）。可以同时打开多个集群。</translation>
    </message>
    <message>
        <source>No kubeconfig was found. Start a local cluster on this computer, or open a kubeconfig file to manage an existing cluster.</source>
        <translation>未找到 kubeconfig。您可以在本机启动一个本地集群，或打开 kubeconfig 文件来管理已有集群。</translation>
    </message>
    <message>
        <source>Start a local cluster</source>
        <translation>启动本地集群</translation>
    </message>
    <message>
        <source>Open a kubeconfig file…</source>
        <translation>打开 kubeconfig 文件…</translation>
    </message>
</context>
</TS>
