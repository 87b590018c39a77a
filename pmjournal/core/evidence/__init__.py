"""Evidence a third party can check: Merkle trees over the chain (merkle.py), signed heads (signing.py), proofs in exports."""
