// Host headers: parsing never crashes, and nothing but loopback names passes unconfigured.
#include "api/AccessPolicy.h"
#include "api/Authenticator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Authenticator auth;
    static const AccessPolicy policy(
        {}, auth, [](const QString &) { return true; },
        [](QByteArrayView, QStringView) { return RouteFlags(); });
    const QByteArray header =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QString host = AccessPolicy::hostName(header);
    if (policy.isAllowedHost(host) && host != u"localhost" && host != u"127.0.0.1" &&
        host != u"::1")
        __builtin_trap();
    return 0;
}
