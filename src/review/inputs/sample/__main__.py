"""`python -m review.inputs.sample --size S --year 2025 --out data/sample`: what `review sample` does."""

from review.inputs.sample import main

main()
