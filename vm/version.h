/* version.h - the version of cars (carsc and carsvm), recorded in every
 * release a compiler builds. */
#ifndef CARS_VERSION_H
#define CARS_VERSION_H

#define CARS_VERSION "1.0.0"

#endif
