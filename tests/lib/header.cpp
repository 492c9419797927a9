// header.cpp - include/cars.h compiled as C++ (tests/lib/run.sh: g++
// -std=c++11 -Wall -Wextra -Werror -pedantic): every declaration used, so
// that C linkage and the types are checked, not only parsed.
#include <cars.h>

#include <cstdio>

int main()
{
    cars_load_options opts = cars_load_options();
    opts.trust = CARS_ALLOW_UNSIGNED_TEST;
    opts.channel = "test";
    char err[CARS_ERR_SIZE];
    cars_router *router = nullptr;
    int rc = cars_router_load("/nonexistent.carsb", &opts, &router, err, sizeof err);
    cars_release_info info = cars_release_info();
    cars_ctx *ctx = nullptr;
    cars_decision d = cars_decision();
    char buf[64];
    if (router && cars_router_info(router, &info) == CARS_OK && cars_ctx_new(router, &ctx) == CARS_OK)
        rc = cars_route(ctx, "{}", 2, 1, &d, buf, sizeof buf);
    std::printf("%s %u %s %s %s %d\n", cars_version_string(), cars_version_number(), cars_status_name(rc),
                cars_status_text(rc), ctx ? cars_ctx_last_error(ctx) : "", CARS_VERSION_NUMBER);
    cars_ctx_free(ctx);
    cars_router_free(router);
    return rc == CARS_E_FATAL ? 0 : 1;
}
