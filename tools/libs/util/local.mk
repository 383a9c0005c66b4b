# tools/libs/util
