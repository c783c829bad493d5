"""Official heat data from the Ministry of the Environment (環境省熱中症予防情報サイト).

Parsers for its three CSV files (forecast, observed WBGT, 熱中症警戒アラート), each refusing what
does not fit with a reason a person can act on. See docs/official-data.md.
"""
