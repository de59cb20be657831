"""Developer entry points behind the Makefile: training, running, benchmarking."""
