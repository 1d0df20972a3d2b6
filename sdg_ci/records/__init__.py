"""Records: the data types that several layers share, at the bottom of the import graph.

Generation fills them, the check and the build carry them, the report renders them; none of
those layers imports another to get at a type. Modules here import nothing of sdg_ci but
each other, `errors` and `diagnostics`.
"""
