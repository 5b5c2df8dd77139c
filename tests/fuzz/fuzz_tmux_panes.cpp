// The output of `tmux list-panes -a -F ...` the liveness check parses.
#include "sandbox/Tmux.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Tmux::parsePanes(QByteArray::fromRawData(reinterpret_cast<const char *>(data),
                                             static_cast<qsizetype>(size)));
    return 0;
}
