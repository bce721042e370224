/* pp.c: see pp.h. (stub: implementation in progress) */
#include <config.h>

#include "pp.h"
