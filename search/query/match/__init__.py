"""Matching: the one part of the query core that knows Whoosh's queries (search/index/ knows the rest of Whoosh).

Text becomes a Whoosh query (``parse``, with ``tidy`` and ``expand`` bounding prefixes, wildcards, ranges and
fuzzy words, and ``interpret`` choosing how a request's text is read), and a query becomes the documents it
matches and their scores (``matching``: plain words by the numpy BM25F of ``bm25``, terms, phrases and AND/OR by
``vector_match`` over the index's postings port, anything else by one Whoosh pass). Everything outside this
package works on plain values: masks, scores, ``ParsedQuery``.
"""
