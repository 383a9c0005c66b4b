# tools/xensim-guest
