/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest that runs: the smallest PVH kernel that writes to pages a device
 * model tracks, for tests/xen/dom0-tests.sh.
 *
 * Xen enters it at _start (XEN_ELFNOTE_PHYS32_ENTRY) in 32-bit flat
 * protected mode with paging off, so every address here is a
 * guest-physical one.  The test types gfn 0x100 and 0x102 to
 * HVMMEM_ioreq_server (demu --map) before unpausing the guest; gfn 0x101
 * and the result page 0x110 stay ordinary RAM.
 *
 * The guest writes ROUNDS times, round i = 1, 2, 3:
 *     4 bytes  0xa11ce000 + i   at 0x100000  (typed: one ioreq each)
 *     2 bytes  0xb0b0 + i       at 0x102010  (typed: one ioreq each)
 *     1 byte   0xc0 + i         at 0x102021  (typed: one ioreq each)
 *     4 bytes  0x5afe0000 + i   at 0x101020  (untyped: straight to RAM)
 * then reads the four places back into the result page, marks it done
 * last, and powers off.  Reads never reach the device model on real Xen, so the
 * typed values read back are what demu stored into RAM (write-through).
 *
 * Result page (gfn 0x110), one dword each:
 *     +0x00  RES_DONE when finished (the bytes "DONE"), 0 while running
 *     +0x04  rounds completed
 *     +0x10  read back from 0x100000, +0x14 from 0x102010 (zero-extended),
 *     +0x18  from 0x102021 (zero-extended), +0x1c from 0x101020
 *
 * Progress goes to Xen's debug port 0xe9, which Xen prints on its
 * console as "(dN) xen-ioreq guest: ..." (needs guest_loglvl=all).
 *
 * Plain GNU as, no C preprocessor: `as --32` assembles it.  The numbers
 * above are the test's contract: dom0-tests.sh expects exactly these.
 */
        .set    TYPED_A, 0x100000
        .set    UNTYPED, 0x101000
        .set    TYPED_B, 0x102000
        .set    RESULT,  0x110000
        .set    ROUNDS,  3
        .set    RES_DONE, 0x454e4f44            /* "DONE" in memory */
        .set    DEBUGCON, 0xe9                  /* XEN_HVM_DEBUGCONS_IOPORT */

        .code32
        .text
        .globl  _start
_start:
        cli
        cld
        movl    $stack_top, %esp
        movl    $0, RESULT                      /* not done yet */
        movl    $0, RESULT+0x04
        movl    $msg_start, %esi
        call    puts

        xorl    %ecx, %ecx
round:
        incl    %ecx
        leal    0xa11ce000(%ecx), %eax
        movl    %eax, TYPED_A                   /* 4-byte write, typed */
        leal    0xb0b0(%ecx), %eax
        movw    %ax, TYPED_B+0x10               /* 2-byte write, typed */
        leal    0xc0(%ecx), %eax
        movb    %al, TYPED_B+0x21               /* 1-byte write, typed */
        leal    0x5afe0000(%ecx), %eax
        movl    %eax, UNTYPED+0x20              /* 4-byte write, RAM */
        movl    %ecx, RESULT+0x04
        cmpl    $ROUNDS, %ecx
        jne     round

        movl    TYPED_A, %eax
        movl    %eax, RESULT+0x10
        movzwl  TYPED_B+0x10, %eax
        movl    %eax, RESULT+0x14
        movzbl  TYPED_B+0x21, %eax
        movl    %eax, RESULT+0x18
        movl    UNTYPED+0x20, %eax
        movl    %eax, RESULT+0x1c
        movl    $RES_DONE, RESULT               /* last: the results are in */

        movl    $msg_done, %esi
        call    puts
        /*
         * The end: halting with interrupts off takes the vCPU down, and
         * Xen powers off a domain whose vCPUs are all down
         * (hvm_vcpu_down); the test's on_poweroff = "preserve" keeps it
         * for inspection.
         */
halt:
        cli
        hlt
        jmp     halt

/* Write the NUL-terminated string at %esi to the debug port. */
puts:
        lodsb
        testb   %al, %al
        jz      1f
        outb    %al, $DEBUGCON
        jmp     puts
1:      ret

        .section .rodata
msg_start:
        .asciz  "xen-ioreq guest: start\n"
msg_done:
        .asciz  "xen-ioreq guest: done\n"

        .bss
        .balign 16
        .space  1024
stack_top:

/*
 * The notes Xen's ELF loader (libelf, via libxl) reads.  PHYS32_ENTRY
 * makes this a PVH kernel; LOADER "generic" says it is not Linux.
 */
        .macro  xen_note type, desc_size
        .balign 4
        .long   4, \desc_size, \type            /* namesz, descsz, type */
        .asciz  "Xen"
        .balign 4
        .endm

        .section .note.Xen, "a", @note
        xen_note 18, 4                          /* XEN_ELFNOTE_PHYS32_ENTRY */
        .long   _start
        xen_note 8, 8                           /* XEN_ELFNOTE_LOADER */
        .asciz  "generic"
        .balign 4
