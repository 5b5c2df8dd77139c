// MANAGER_BACKENDS_FILE contents, and the expansion of whatever templates they hold.
#include "sandbox/BackendCatalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    BackendCatalog catalog = BackendCatalog::builtin({{QStringLiteral("claude")}, {}});
    if (catalog.merge(QByteArray::fromRawData(reinterpret_cast<const char *>(data),
                                              static_cast<qsizetype>(size))))
        return 0;
    BackendVars vars;
    vars.projectDir = QStringLiteral("/p {id}");
    vars.id = QStringLiteral("id");
    for (const BackendSpec &spec : catalog.backends()) {
        const QStringList argv = BackendCatalog::expand(spec.command, vars);
        if (argv.size() != spec.command.size())
            __builtin_trap();
    }
    return 0;
}
