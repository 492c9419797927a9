/* declog_cmd.h - the `carsvm log` command (keygen, verify, replay). */
#ifndef CARS_DECLOG_CMD_H
#define CARS_DECLOG_CMD_H

/* argv[1] is "log". Returns the exit status. */
int cars_cmd_log(int argc, char **argv);
/* Its description for carsvm --help. */
extern const char cars_log_help_text[];

#endif
