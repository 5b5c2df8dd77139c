// POST /api/sandboxes bodies: parsed, then validated like a request would be.
#include <QCoreApplication>

#include "sandbox/BackendCatalog.h"
#include "sandbox/RequestValidator.h"
#include "shared/JsonCodec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const BackendCatalog catalog = BackendCatalog::builtin({{QStringLiteral("bash")}, {}});
    const auto request = JsonCodec::createRequestFromJson(QByteArray::fromRawData(
        reinterpret_cast<const char *>(data), static_cast<qsizetype>(size)));
    if (request) {
        RequestValidator::validateName(request->name);
        if (request->projectDir.size() < 256)
            RequestValidator::validate(*request, catalog);
    }
    return 0;
}
