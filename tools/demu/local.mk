# tools/demu
