// The benchmark runner; see BENCHMARKS.md.
export {}
