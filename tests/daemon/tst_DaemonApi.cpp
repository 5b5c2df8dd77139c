#include <QTest>
class tst_DaemonApi : public QObject
{
    Q_OBJECT
};
QTEST_GUILESS_MAIN(tst_DaemonApi)
#include "tst_DaemonApi.moc"
