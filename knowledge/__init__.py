"""Clause knowledge base and the Chinese question matcher.

    from knowledge import match_question, get_entry, article_entry, all_entries, citation

    result = match_question("房租补贴怎么算")   # MatchResult
    result.confident        # bool: safe to answer with result.matches[0]
    result.matches          # up to 3 Match(entry, score), best first; suggestions when not confident
    entry = result.matches[0].entry
    entry.id, entry.clauses, entry.title, entry.answer, entry.answer_en, entry.text, entry.related

    article_entry(5)        # the Entry for article 5 (0 = preamble); KeyError if none
    citation([5, 14])       # "「第五条、第十四条」"

Nothing here knows about chats or channels.
"""
from knowledge.base import Entry, all_entries, article_entry, citation, get_entry, load_entries
from knowledge.matcher import Match, MatchResult, match_question

__all__ = [
    "Entry", "Match", "MatchResult", "all_entries", "article_entry", "citation", "get_entry",
    "load_entries", "match_question",
]
