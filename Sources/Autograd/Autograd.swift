/// Reverse-mode automatic differentiation with PyTorch's semantics.
public enum AutogradLibrary {
    public static let version = "0.1.0"
}
