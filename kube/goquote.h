#pragma once

#include <string>
#include <string_view>

namespace pilot::kube {

/// Go's `%q` (`strconv.Quote`) as Kubernetes' messages use it: the text in double quotes, with
/// `"` and `\` escaped, the C escapes `\a \b \f \n \r \t \v`, other control bytes as `\xNN`;
/// UTF-8 text passes through as Go prints it.
[[nodiscard]] std::string goQuote(std::string_view text);

} // namespace pilot::kube
