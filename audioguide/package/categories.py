"""The podcast categories Apple Podcasts offers, for ``category:`` and ``subcategory:`` in
guide.yaml and the feeds' ``itunes:category``.

Apple's list (https://podcasters.apple.com/support/1691-apple-podcasts-categories): 19 categories,
15 of them with subcategories, 110 names in all, written exactly as the feeds must write them. It
is the list podcast-partytime, Podcast Index's parser, checks feeds against.
"""

from __future__ import annotations

DEFAULT = "Society & Culture"

CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health",
                         "Nutrition", "Sexuality"),
    "History": (),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
             "Sports News", "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel",
                          "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf",
               "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball",
               "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip


def spelled(name: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """``name`` as Apple spells it among ``choices`` (case and spaces aside), or None."""
    wanted = " ".join(name.split()).casefold()
    return next((choice for choice in choices if choice.casefold() == wanted), None)
