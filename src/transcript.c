/* transcript.c: see transcript.h. (stub: implementation in progress) */
#include <config.h>

#include "transcript.h"
