/* vm.c - the interpreter (see vm.h). */
#include "vm.h"

cars_vm *cars_vm_new(const cars_program *p) { (void)p; return NULL; }
void cars_vm_free(cars_vm *vm) { (void)vm; }
int cars_vm_route(cars_vm *vm, const cars_record *rec, cars_result *res, char *err, size_t errlen)
{ (void)vm; (void)rec; (void)res; (void)err; (void)errlen; return -1; }
int cars_vm_eval_rule(cars_vm *vm, const cars_record *rec, uint32_t rule) { (void)vm; (void)rec; (void)rule; return -2; }
