#pragma once

#include <functional>
#include <optional>

#include <QHostAddress>

#include "HttpRequestScanner.h"

// Decides, from a request's raw head, whether it may reach a handler at all.
class AccessPolicy
{
public:
    using SandboxExists = std::function<bool(const QString &id)>;

    explicit AccessPolicy(SandboxExists sandboxExists);

    std::optional<HttpRequestScanner::Rejection> check(const HttpRequestHead &head,
                                                       const QHostAddress &peer) const;

private:
    SandboxExists m_sandboxExists;
};
