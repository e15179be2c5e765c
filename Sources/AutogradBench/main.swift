import Autograd

print("autograd-bench \(AutogradLibrary.version)")
