// The raw request stream every connection's bytes go through before QHttpServer: split at
// arbitrary points it must reach the same verdicts as in one piece.
#include "http/HttpRequestScanner.h"

namespace {
struct Verdicts
{
    int heads = 0;
    int complete = 0;
    int rejection = 0;
    bool operator==(const Verdicts &) const = default;
};

Verdicts scan(QByteArrayView data, qsizetype step)
{
    HttpRequestScanner scanner({});
    Verdicts verdicts;
    qsizetype offset = 0;
    while (offset < data.size()) {
        QByteArrayView piece = data.sliced(offset, std::min(step, data.size() - offset));
        offset += piece.size();
        while (true) {
            qsizetype consumed = 0;
            const auto event = scanner.feed(piece, &consumed);
            if (consumed < 0 || consumed > piece.size())
                __builtin_trap();
            piece = piece.sliced(consumed);
            if (event == HttpRequestScanner::Event::Rejected) {
                verdicts.rejection = scanner.rejection().status;
                return verdicts;
            }
            if (event == HttpRequestScanner::Event::HeadComplete ||
                event == HttpRequestScanner::Event::Upgraded)
                ++verdicts.heads;
            if (event == HttpRequestScanner::Event::RequestComplete ||
                (event == HttpRequestScanner::Event::HeadComplete && scanner.bodyLength() == 0))
                ++verdicts.complete;
            if (event == HttpRequestScanner::Event::NeedMore && (piece.isEmpty() || consumed == 0))
                break;
            if (piece.isEmpty() && event != HttpRequestScanner::Event::NeedMore)
                continue;
        }
    }
    return verdicts;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const Verdicts whole = scan(bytes, std::max<qsizetype>(1, bytes.size()));
    const Verdicts bytewise = scan(bytes, 1);
    if (!(whole == bytewise))
        __builtin_trap();
    return 0;
}
