#include "ScreenshotView.h"

#include <QLabel>
#include <QResizeEvent>

ScreenshotView::ScreenshotView(QWidget *parent) : QScrollArea(parent), m_label(new QLabel)
{
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setBackgroundRole(QPalette::Dark);
    m_label->setAutoFillBackground(true);
    setBackgroundRole(QPalette::Dark);
    setAlignment(Qt::AlignCenter);
    setWidget(m_label);
    setWidgetResizable(true);
    setMinimumSize(320, 180);
}

void ScreenshotView::setPixmap(const QPixmap &pixmap)
{
    m_pixmap = pixmap;
    updateLabel();
}

void ScreenshotView::setPlaceholder(const QString &text)
{
    m_placeholder = text;
    if (m_pixmap.isNull())
        updateLabel();
}

void ScreenshotView::setFitToWindow(bool fit)
{
    m_fit = fit;
    setWidgetResizable(fit);
    updateLabel();
}

void ScreenshotView::resizeEvent(QResizeEvent *event)
{
    QScrollArea::resizeEvent(event);
    if (m_fit)
        updateLabel();
}

void ScreenshotView::updateLabel()
{
    if (m_pixmap.isNull()) {
        m_label->setPixmap({});
        m_label->setText(m_placeholder);
        return;
    }
    if (!m_fit) {
        m_label->setPixmap(m_pixmap);
        m_label->resize(m_pixmap.size());
        return;
    }
    const QSize space = viewport()->size() * devicePixelRatioF();
    QPixmap scaled = m_pixmap.scaled(space, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    scaled.setDevicePixelRatio(devicePixelRatioF());
    m_label->setPixmap(scaled);
}
