#pragma once

#include <QPixmap>
#include <QScrollArea>

class QLabel;

// A screenshot scaled to the space it has, or at 1:1 with scroll bars.
class ScreenshotView : public QScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotView)

public:
    explicit ScreenshotView(QWidget *parent = nullptr);

    void setPixmap(const QPixmap &pixmap);
    QPixmap pixmap() const { return m_pixmap; }
    void setPlaceholder(const QString &text);
    void setFitToWindow(bool fit);
    bool fitToWindow() const { return m_fit; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateLabel();

    QLabel *m_label;
    QPixmap m_pixmap;
    QString m_placeholder;
    bool m_fit = true;
};
