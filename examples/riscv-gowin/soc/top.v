// FPGA top for the Tang Nano 20K: 27 MHz clock, button S1 as reset, six LEDs
// (active low) showing the LEDS register. Place-and-route keeps the whole core
// because the LEDs depend on what the program computes.
`default_nettype none

module top #(
    parameter MEM_INIT = "build/bench.hex"
) (
    input  wire       clk,
    input  wire       btn_s1,
    output wire [5:0] led
);
    // Power-on reset: hold the core in reset for 15 cycles after configuration.
    reg [3:0] por = 4'd0;
    always @(posedge clk) if (por != 4'hf) por <= por + 4'd1;
    reg rst_q = 1'b1;
    always @(posedge clk) rst_q <= (por != 4'hf) | btn_s1;

    wire [5:0] leds;
    wire out_valid, exit_valid;
    wire [31:0] out_data, exit_code;
    soc #(.MEM_INIT(MEM_INIT)) soc0 (
        .clk(clk), .rst(rst_q), .leds(leds),
        .out_valid(out_valid), .out_data(out_data),
        .exit_valid(exit_valid), .exit_code(exit_code)
    );
    assign led = ~leds;
endmodule

`default_nettype wire
