/// Fast JSON reading and writing for request bodies whose bulk is tensor numbers.
public enum TensorJSON {}
