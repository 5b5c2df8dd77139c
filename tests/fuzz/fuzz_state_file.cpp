// state.json as found on disk: must never crash, and what loads must save and load the same.
#include "shared/JsonCodec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto state = JsonCodec::stateFromJson(QByteArray::fromRawData(
        reinterpret_cast<const char *>(data), static_cast<qsizetype>(size)));
    if (state) {
        const auto again = JsonCodec::stateFromJson(JsonCodec::stateToJson(*state));
        if (!again || !(*again == *state))
            __builtin_trap();
    }
    return 0;
}
