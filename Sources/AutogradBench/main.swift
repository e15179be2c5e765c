// The engine benchmark of issue 2: `AutogradBench [section ...] [--repetitions N]` prints `key value` lines that
// scripts/bench-engine.sh compares with NumPy and PyTorch measured in the same run. Sections: matmul, add,
// tutorial, chain, copy (all but copy when none is named). Run `chain` in its own process so its peak memory is
// its own.
import Autograd

var sections: [String] = []
var repetitions = 10
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  if argument == "--repetitions", let value = arguments.popFirst().flatMap({ Int($0) }), value > 0 {
    repetitions = value
  } else {
    sections.append(argument)
  }
}
if sections.isEmpty { sections = ["matmul", "add", "tutorial", "chain"] }

for section in sections {
  switch section {
  case "matmul": benchMatmul(n: 1024, repetitions: repetitions)
  case "add": benchAddBandwidth(count: 16 << 20, repetitions: repetitions)
  case "tutorial":
    run { () throws(AutogradError) in try EngineBench.tutorial(repetitions: repetitions) }
  case "copy":
    run { () throws(AutogradError) in
      try EngineBench.transposedCopy(n: 1000, repetitions: repetitions)
    }
  case "chain": run { () throws(AutogradError) in try EngineBench.chain(length: 1_000_000) }
  default: print("unknown_section \(section)")
  }
}

func run(_ body: () throws(AutogradError) -> Void) {
  do {
    try body()
  } catch {
    print("error \(error)")
  }
}
