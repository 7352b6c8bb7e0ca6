#ifndef RATIO_VERSION_H
#define RATIO_VERSION_H
#define RATIO_VERSION "0.1.0"
#endif
