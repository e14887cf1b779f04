"""Teaching exercises: the exercise file format, answer keys computed by the engine, and
grading (`exercises`)."""
