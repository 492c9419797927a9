/* readfile.h - reading a whole file (a release, a key, a signature, a
 * table) into memory, for carsvm and carsc alike. */
#ifndef CARS_READFILE_H
#define CARS_READFILE_H

#include <stddef.h>
#include <stdint.h>

/* The file's bytes in a cars_malloc buffer (8-aligned, as the loader wants)
 * with a NUL after the last byte; NULL with errno set on failure. */
uint8_t *cars_read_file(const char *path, size_t *len);

#endif
