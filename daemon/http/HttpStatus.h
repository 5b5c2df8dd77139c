#pragma once

#include <QByteArray>

// What the connection layer (GuardedTcpServer) and the reply layer (HttpReply) both need,
// so that neither includes the other.

// The reason phrase of a status line: "404" -> "Not Found".
QByteArray statusText(int status);

// Set on a socket by HttpReply when it turns into a stream (SSE, chunked log follow): the
// server then leaves it open past the request's deadline.
inline constexpr const char *StreamingProperty = "csm_streaming";
