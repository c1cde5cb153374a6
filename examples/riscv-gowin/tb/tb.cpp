// Verilator testbench: runs a program on soc/soc.v until it writes EXIT or a
// cycle ceiling is reached. Prints every OUT word, the exit code and the cycle
// count as `key: value` lines for scripts/bench.py and scripts/isa.py.
//
//   obj/Vsoc +hex=<program.hex> [+max_cycles=N]
// Exit status: the program's exit code (0..255), 3 if the ceiling was hit.
// Protected: it defines what a cycle is.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "Vsoc.h"
#include "verilated.h"

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    uint64_t max_cycles = 50000000ULL;
    const char *arg = Verilated::commandArgsPlusMatch("max_cycles=");
    if (arg && *arg) max_cycles = strtoull(strchr(arg, '=') + 1, nullptr, 0);

    Vsoc *top = new Vsoc;
    top->clk = 0;
    top->rst = 1;
    for (int i = 0; i < 4; i++) {  // a few clocks in reset
        top->clk = 1; top->eval();
        top->clk = 0; top->eval();
    }
    top->rst = 0;
    top->eval();

    // Cycles are counted from the first edge after reset up to and including
    // the edge that performs the EXIT write.
    uint64_t cycles = 0;
    int status = 3;
    while (cycles < max_cycles) {
        // Outputs are combinational from the core's state: sample before the edge.
        bool out_valid = top->out_valid, exit_valid = top->exit_valid;
        uint32_t out_data = top->out_data, exit_code = top->exit_code;
        top->clk = 1; top->eval();
        top->clk = 0; top->eval();
        cycles++;
        if (out_valid) std::printf("out: 0x%08" PRIx32 "\n", out_data);
        if (exit_valid) {
            std::printf("exit: %" PRIu32 "\n", exit_code);
            status = exit_code > 255 ? 255 : (int)exit_code;
            break;
        }
    }
    if (status == 3 && cycles >= max_cycles)
        std::printf("timeout: no EXIT write within %" PRIu64 " cycles\n", max_cycles);
    std::printf("cycles: %" PRIu64 "\n", cycles);
    top->final();
    delete top;
    return status;
}
