/* The program's version and home, one place for --version, the reports'
 * tool descriptions (SARIF tool.driver) and `make deb` (which reads
 * PAPYRA_VERSION from this file). */
#ifndef PAPYRA_VERSION_H
#define PAPYRA_VERSION_H

#define PAPYRA_VERSION "0.1.0"
/* Where a report's reader learns about the store format and its tools. */
#define PAPYRA_INFO_URI "https://github.com/dymmond/papyra"

#endif
