// Baseline RV32I core: a plain multi-cycle state machine that finishes one
// instruction before fetching the next (3 cycles per instruction, 4 for loads).
// It is deliberately unoptimised; pipelining, forwarding and branch prediction
// are left to whoever improves it. Everything under rtl/ may be changed, as
// long as the module name and ports below stay the same (soc/soc.v uses them).
//
// Memory contract (soc/soc.v): both ports are synchronous block RAM. The word
// at *_addr is sampled on every rising edge and appears on *_rdata in the next
// cycle. A store happens on the edge where dmem_wstrb is non-zero (one bit per
// byte lane). Addresses with bit 31 set are memory-mapped I/O (write only).
// FENCE is a no-op; ECALL/EBREAK and misaligned accesses are not supported.
`default_nettype none

module cpu (
    input  wire        clk,
    input  wire        rst,
    output wire [31:0] imem_addr,
    input  wire [31:0] imem_rdata,
    output wire [31:0] dmem_addr,
    output wire [31:0] dmem_wdata,
    output wire [3:0]  dmem_wstrb,
    input  wire [31:0] dmem_rdata
);
    localparam [1:0] S_FETCH = 2'd0, S_DECODE = 2'd1, S_EXEC = 2'd2, S_MEM = 2'd3;

    localparam [6:0] OP_LUI = 7'b0110111, OP_AUIPC = 7'b0010111, OP_JAL = 7'b1101111,
                     OP_JALR = 7'b1100111, OP_BRANCH = 7'b1100011, OP_LOAD = 7'b0000011,
                     OP_STORE = 7'b0100011, OP_IMM = 7'b0010011, OP_REG = 7'b0110011;

    reg [1:0]  state;
    reg [31:0] pc;
    reg [31:0] instr;
    reg [31:0] rs1v, rs2v;
    reg [31:0] regs [0:31];

    // ---- decode -----------------------------------------------------------
    wire [6:0] opcode = instr[6:0];
    wire [4:0] rd     = instr[11:7];
    wire [2:0] funct3 = instr[14:12];
    wire       alt    = instr[30];   // SUB / SRA select

    wire [31:0] imm_i = {{21{instr[31]}}, instr[30:20]};
    wire [31:0] imm_s = {{21{instr[31]}}, instr[30:25], instr[11:7]};
    wire [31:0] imm_b = {{20{instr[31]}}, instr[7], instr[30:25], instr[11:8], 1'b0};
    wire [31:0] imm_u = {instr[31:12], 12'b0};
    wire [31:0] imm_j = {{12{instr[31]}}, instr[19:12], instr[20], instr[30:21], 1'b0};

    // ---- ALU --------------------------------------------------------------
    wire [31:0] op_b = (opcode == OP_REG) ? rs2v : imm_i;
    wire        is_sub = (opcode == OP_REG) && alt;
    reg  [31:0] alu;
    always @(*) begin
        case (funct3)
            3'b000: alu = is_sub ? rs1v - op_b : rs1v + op_b;
            3'b001: alu = rs1v << op_b[4:0];
            3'b010: alu = {31'b0, $signed(rs1v) < $signed(op_b)};
            3'b011: alu = {31'b0, rs1v < op_b};
            3'b100: alu = rs1v ^ op_b;
            3'b101: alu = alt ? $unsigned($signed(rs1v) >>> op_b[4:0]) : rs1v >> op_b[4:0];
            3'b110: alu = rs1v | op_b;
            default: alu = rs1v & op_b;
        endcase
    end

    reg taken;
    always @(*) begin
        case (funct3)
            3'b000: taken = rs1v == rs2v;
            3'b001: taken = rs1v != rs2v;
            3'b100: taken = $signed(rs1v) < $signed(rs2v);
            3'b101: taken = $signed(rs1v) >= $signed(rs2v);
            3'b110: taken = rs1v < rs2v;
            3'b111: taken = rs1v >= rs2v;
            default: taken = 1'b0;
        endcase
    end

    // ---- memory access ----------------------------------------------------
    wire [31:0] addr = rs1v + ((opcode == OP_STORE) ? imm_s : imm_i);
    wire [1:0]  byte_off = addr[1:0];

    reg [3:0]  wmask;
    reg [31:0] wdata;
    always @(*) begin
        case (funct3[1:0])
            2'b00: begin wmask = 4'b0001 << byte_off; wdata = {4{rs2v[7:0]}}; end
            2'b01: begin wmask = byte_off[1] ? 4'b1100 : 4'b0011; wdata = {2{rs2v[15:0]}}; end
            default: begin wmask = 4'b1111; wdata = rs2v; end
        endcase
    end

    wire [31:0] shifted = dmem_rdata >> {byte_off, 3'b000};
    reg  [31:0] load_val;
    always @(*) begin
        case (funct3)
            3'b000: load_val = {{24{shifted[7]}}, shifted[7:0]};
            3'b001: load_val = {{16{shifted[15]}}, shifted[15:0]};
            3'b100: load_val = {24'b0, shifted[7:0]};
            3'b101: load_val = {16'b0, shifted[15:0]};
            default: load_val = shifted;
        endcase
    end

    assign imem_addr  = pc;
    assign dmem_addr  = addr;
    assign dmem_wdata = wdata;
    assign dmem_wstrb = (state == S_EXEC && opcode == OP_STORE) ? wmask : 4'b0000;

    // ---- result and next pc -------------------------------------------------
    wire [31:0] pc_plus4 = pc + 32'd4;
    reg  [31:0] result;
    reg         writes_rd;
    reg  [31:0] next_pc;
    always @(*) begin
        result = alu;
        writes_rd = 1'b0;
        next_pc = pc_plus4;
        case (opcode)
            OP_LUI:    begin result = imm_u;      writes_rd = 1'b1; end
            OP_AUIPC:  begin result = pc + imm_u; writes_rd = 1'b1; end
            OP_JAL:    begin result = pc_plus4;   writes_rd = 1'b1; next_pc = pc + imm_j; end
            OP_JALR:   begin result = pc_plus4;   writes_rd = 1'b1;
                             next_pc = (rs1v + imm_i) & ~32'd1; end
            OP_BRANCH: if (taken) next_pc = pc + imm_b;
            OP_IMM, OP_REG: writes_rd = 1'b1;
            default: ;
        endcase
    end

    // ---- state machine ------------------------------------------------------
    always @(posedge clk) begin
        if (rst) begin
            state <= S_FETCH;
            pc    <= 32'd0;
        end else begin
            case (state)
                S_FETCH: state <= S_DECODE;
                S_DECODE: begin
                    instr <= imem_rdata;
                    rs1v  <= (imem_rdata[19:15] == 5'd0) ? 32'd0 : regs[imem_rdata[19:15]];
                    rs2v  <= (imem_rdata[24:20] == 5'd0) ? 32'd0 : regs[imem_rdata[24:20]];
                    state <= S_EXEC;
                end
                S_EXEC: begin
                    if (opcode == OP_LOAD) begin
                        state <= S_MEM;
                    end else begin
                        if (writes_rd && rd != 5'd0) regs[rd] <= result;
                        pc    <= next_pc;
                        state <= S_FETCH;
                    end
                end
                default: begin  // S_MEM: load data has arrived
                    if (rd != 5'd0) regs[rd] <= load_val;
                    pc    <= pc_plus4;
                    state <= S_FETCH;
                end
            endcase
        end
    end
endmodule

`default_nettype wire
