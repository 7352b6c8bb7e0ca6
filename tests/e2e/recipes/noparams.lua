-- Declares no parameters.
print("ran")
