// The system around the core: one block RAM shared by the instruction and data
// ports, and a few memory-mapped output registers. Protected: the testbench,
// the benchmark and the timing flow all rely on this memory map.
//
//   0x0000_0000 .. MEM_BYTES-1  RAM, loaded from a hex file (one 32-bit word a line)
//   0x8000_0000  LEDS  (write)  low 6 bits drive the board's LEDs
//   0x8000_0004  OUT   (write)  a word for the testbench (checksums, register dumps)
//   0x8000_0008  EXIT  (write)  the program has finished; the word is its exit code
`default_nettype none

module soc #(
    parameter ADDR_BITS = 12,              // word address bits: 4096 words = 16 KiB
    parameter MEM_INIT  = "build/bench.hex"
) (
    input  wire        clk,
    input  wire        rst,
    output reg  [5:0]  leds,
    output wire        out_valid,
    output wire [31:0] out_data,
    output wire        exit_valid,
    output wire [31:0] exit_code
);
    wire [31:0] imem_addr, imem_rdata, dmem_addr, dmem_wdata, dmem_rdata;
    wire [3:0]  dmem_wstrb;

    cpu core (
        .clk(clk), .rst(rst),
        .imem_addr(imem_addr), .imem_rdata(imem_rdata),
        .dmem_addr(dmem_addr), .dmem_wdata(dmem_wdata),
        .dmem_wstrb(dmem_wstrb), .dmem_rdata(dmem_rdata)
    );

    // ---- RAM: true dual-port, synchronous read, byte-enable writes ----------
    reg [31:0] mem [0:(1 << ADDR_BITS) - 1];
`ifdef VERILATOR
    // Simulation picks the program at run time: +hex=<file>
    reg [1023:0] hexfile;
    initial begin
        if ($value$plusargs("hex=%s", hexfile)) $readmemh(hexfile, mem);
        else $readmemh(MEM_INIT, mem);
    end
`else
    initial $readmemh(MEM_INIT, mem);
`endif

    wire [ADDR_BITS-1:0] iaddr = imem_addr[ADDR_BITS+1:2];
    wire [ADDR_BITS-1:0] daddr = dmem_addr[ADDR_BITS+1:2];
    wire is_io  = dmem_addr[31];
    wire [3:0] ram_we = is_io ? 4'b0000 : dmem_wstrb;

    reg [31:0] irdata, drdata;
    always @(posedge clk) irdata <= mem[iaddr];
    always @(posedge clk) begin
        if (ram_we[0]) mem[daddr][7:0]   <= dmem_wdata[7:0];
        if (ram_we[1]) mem[daddr][15:8]  <= dmem_wdata[15:8];
        if (ram_we[2]) mem[daddr][23:16] <= dmem_wdata[23:16];
        if (ram_we[3]) mem[daddr][31:24] <= dmem_wdata[31:24];
        drdata <= mem[daddr];
    end
    assign imem_rdata = irdata;

    // I/O reads return zero (one cycle late, like the RAM).
    reg io_read;
    always @(posedge clk) io_read <= is_io;
    assign dmem_rdata = io_read ? 32'd0 : drdata;

    // ---- memory-mapped outputs ---------------------------------------------
    wire io_we = is_io && (dmem_wstrb != 4'b0000);
    always @(posedge clk) begin
        if (rst) leds <= 6'd0;
        else if (io_we && dmem_addr[3:2] == 2'd0) leds <= dmem_wdata[5:0];
    end
    assign out_valid  = io_we && dmem_addr[3:2] == 2'd1;
    assign out_data   = dmem_wdata;
    assign exit_valid = io_we && dmem_addr[3:2] == 2'd2;
    assign exit_code  = dmem_wdata;

    wire unused = &{1'b0, imem_addr[31:ADDR_BITS+2], imem_addr[1:0],
                    dmem_addr[30:ADDR_BITS+2], dmem_addr[1:0]};
endmodule

`default_nettype wire
