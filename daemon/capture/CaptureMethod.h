#pragma once

// How frames are read from an Xvfb: shared memory (MIT-SHM) or a plain GetImage copy.
enum class CaptureMethod
{
    XShm,
    Import
};
