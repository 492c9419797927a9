/* fmt.c - stub */
#include "fmt.h"
#include "commands.h"
bool cars_fmt_file(const cars_ast *ast, uint32_t file, FILE *out) { (void)ast; (void)file; (void)out; return false; }
int cars_cmd_fmt(int argc, char **argv) { (void)argc; (void)argv; return 2; }
