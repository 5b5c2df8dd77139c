#include <QTest>

#include "http/HttpRequest.h"
#include "web/CsrfGuard.h"

class tst_CsrfGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newSessionWithoutCookie();
    void tokenOfOwnSessionVerifies();
    void refuses_data();
    void refuses();
    void cookieValue_data();
    void cookieValue();

private:
    static HttpRequest withCookie(const QByteArray &cookie);
};

HttpRequest tst_CsrfGuard::withCookie(const QByteArray &cookie)
{
    HttpRequest request;
    if (!cookie.isEmpty())
        request.headers.append({"Cookie", cookie});
    return request;
}

void tst_CsrfGuard::newSessionWithoutCookie()
{
    const CsrfGuard guard;
    const CsrfGuard::Session session = guard.session(withCookie({}));
    QVERIFY(session.isNew);
    QCOMPARE(session.id.size(), 43);
    const QByteArray cookie = CsrfGuard::setCookie(session);
    QVERIFY(cookie.startsWith(QByteArray("csm_csrf=" + session.id + ';')));
    QVERIFY(cookie.contains("HttpOnly"));
    QVERIFY(cookie.contains("SameSite=Strict"));
    QVERIFY(cookie.contains("Path=/"));
    // Two new sessions never share an id.
    QVERIFY(guard.session(withCookie({})).id != session.id);
}

void tst_CsrfGuard::tokenOfOwnSessionVerifies()
{
    const CsrfGuard guard;
    const CsrfGuard::Session session = guard.session(withCookie({}));
    const HttpRequest next = withCookie("theme=dark; csm_csrf=" + session.id);
    QVERIFY(!guard.session(next).isNew);
    QCOMPARE(guard.session(next).id, session.id);
    QVERIFY(guard.verify(next, guard.token(session)));
}

void tst_CsrfGuard::refuses_data()
{
    QTest::addColumn<QByteArray>("cookie");
    QTest::addColumn<int>("tokenOf"); // 0: the cookie's session, 1: another session, 2: empty token
    QTest::addColumn<bool>("sameSecret");

    const QByteArray id = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    QTest::addRow("no cookie") << QByteArray() << 0 << true;
    QTest::addRow("token of another session") << "csm_csrf=" + id << 1 << true;
    QTest::addRow("empty token") << "csm_csrf=" + id << 2 << true;
    QTest::addRow("daemon restarted (new secret)") << "csm_csrf=" + id << 0 << false;
    QTest::addRow("malformed cookie") << QByteArray("csm_csrf=short") << 0 << true;
}

void tst_CsrfGuard::refuses()
{
    QFETCH(QByteArray, cookie);
    QFETCH(int, tokenOf);
    QFETCH(bool, sameSecret);

    const CsrfGuard issuer(QByteArray("secret-one"));
    const CsrfGuard checker(sameSecret ? QByteArray("secret-one") : QByteArray("secret-two"));
    const HttpRequest request = withCookie(cookie);
    QString token;
    if (tokenOf == 0)
        token = issuer.token({CsrfGuard::cookieValue(cookie, CsrfGuard::CookieName), false});
    else if (tokenOf == 1)
        token = issuer.token(issuer.session(withCookie({})));
    QVERIFY(!checker.verify(request, token));
}

void tst_CsrfGuard::cookieValue_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("alone") << QByteArray("csm_csrf=abc") << QByteArray("abc");
    QTest::addRow("among others") << QByteArray("a=1; csm_csrf=abc; b=2") << QByteArray("abc");
    QTest::addRow("joined duplicate headers")
        << QByteArray("a=1, csm_csrf=abc") << QByteArray("abc");
    QTest::addRow("prefix of another name") << QByteArray("xcsm_csrf=abc") << QByteArray();
    QTest::addRow("absent") << QByteArray("a=1") << QByteArray();
}

void tst_CsrfGuard::cookieValue()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, expected);
    QCOMPARE(CsrfGuard::cookieValue(header, CsrfGuard::CookieName), expected);
}

QTEST_GUILESS_MAIN(tst_CsrfGuard)
#include "tst_CsrfGuard.moc"
