/* main.c - the carsvm command line. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "carsvm: not implemented yet\n");
    return 1;
}
