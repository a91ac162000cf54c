"""The forum profile on small threads made for these tests: every post in order, without the
quotes, signatures, votes, comments and controls around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.extract import profile_forum
from core.extract.assemble import assemble
from core.extract.loading import load_html
from core.extract.profile_forum import MAX_CANDIDATES, covers, forum_text, thread_posts
from core.models import Article, PageType
from core.ports import PageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pagetypes"


def extracted(name: str, url: str) -> Article:
    article = assemble(
        PageInput(body=(FIXTURES / f"{name}.html").read_bytes(), url=url, article_id="a")
    )
    assert article is not None
    assert article.page_type is PageType.FORUM
    assert article.text is not None
    return article


def test_a_question_page_keeps_the_question_and_every_answer_in_order() -> None:
    article = extracted("qa-thread", "https://bakingq.example/questions/4021/soft-crust")
    text = article.text or ""
    parts = (
        "crust crackles, but by the next morning",  # the question
        "Moisture from the crumb migrates outward",  # the accepted answer
        "cut side down on a wooden board",  # the second answer
    )
    assert all(part in text for part in parts)
    assert [text.index(part) for part in parts] == sorted(text.index(part) for part in parts)


def test_a_question_page_drops_votes_comments_tags_controls_and_the_sidebar() -> None:
    article = extracted("qa-thread", "https://bakingq.example/questions/4021/soft-crust")
    lines = (article.text or "").split("\n")
    text = "\n".join(lines)
    for noise in ("Whole wheat crusts soften faster", "Add a comment", "oven door trick"):
        assert noise not in text
    for line in ("14", "21", "Up vote", "bread", "crust", "Share", "Related questions"):
        assert line not in lines
    assert "How to get a blistered crust?" not in text


def test_a_thread_keeps_each_post_once_with_its_author_and_no_signature() -> None:
    article = extracted(
        "forum-quotes", "https://woodshop.example/threads/best-glue-for-a-loose-chair-joint.5521/"
    )
    text = article.text or ""
    assert "Should I use ordinary wood glue" in text
    assert "Warm liquid hide glue sticks to old hide glue" in text
    assert "the chair is solid again" in text  # the last reply, which trafilatura drops
    assert "hide_glue_hal 12 May 2025, 10:02" in text
    # the quoted sentence stays in the post that wrote it, not again in the reply
    assert text.count("The old glue is brittle and flakes out") == 1
    for noise in ("Measure twice", "Restoring antiques", "Quote", "Similar threads", "Log in"):
        assert noise not in text


def test_posts_named_in_camel_case_keep_every_reply_without_their_furniture() -> None:
    # ``cPost`` articles, each wrapped in an element whose id names a comment, and each
    # printing the same status, rank and report lines, and its number
    article = extracted(
        "forum-camelcase", "https://crumb.example/t/sourdough-starter-smells-of-nail-polish/812"
    )
    text = article.text or ""
    parts = (
        "smell sharply of nail polish remover",
        "the yeast is hungry",
        "Mine lives in the fridge between bakes",
        "after five days the smell is gone",
    )
    assert all(part in text for part in parts)
    assert [text.index(part) for part in parts] == sorted(text.index(part) for part in parts)
    lines = text.split("\n")
    for furniture in ("Offline", "Report post", "Member", "Post #3"):
        assert furniture not in lines
    for noise in ("Similar topics", "Starter with grey liquid", "Guidelines"):
        assert noise not in text


def test_a_thread_without_post_containers_leaves_out_the_consent_dialogs_text() -> None:
    article = extracted("forum-consent", "https://shutter.example/boards/lenses?topic=3311")
    text = article.text or ""
    assert "the autofocus hunts every time a gull crosses" in text
    assert "for the gulls at the pier the kit zoom does the job" in text
    for dialog in ("may store or retrieve information", "advertising partners"):
        assert dialog not in text


def test_comments_whose_text_sits_in_a_form_keep_it() -> None:
    # some forums draw each comment's text inside the form that edits it
    comments = "".join(
        f"<div class='thing comment'><p class='tagline'>user{i}</p>"
        f"<form class='usertext'><input type='hidden' name='thing_id' value='t{i}'>"
        f"<div class='md'><p>Reply {i} says the hinge pin needs a drop of oil.</p></div>"
        "</form></div>"
        for i in range(3)
    )
    text = thread_posts(load_html(f"<html><body>{comments}</body></html>")) or ""
    assert all(f"Reply {i} says the hinge pin" in text for i in range(3))


def test_posts_declared_by_their_schema_type_are_all_read_whatever_their_class() -> None:
    # the opening poster's posts carry a class of their own; the others none at all
    said = (
        ("owner-post", "Can a saved route on the laptop be opened in the phone app at all?"),
        ("", "Save it among your favourites and the phone shows it under the same account."),
        ("owner-post", "The favourites from the laptop never appear in the phone's list."),
        ("", "Then the two devices are signed in with different accounts, check both."),
    )
    posts = "".join(
        f"<li class='{kind}' itemprop='comment' itemscope itemtype='http://schema.org/Comment'>"
        f"<p>{text}</p></li>"
        for kind, text in said
    )
    text = thread_posts(load_html(f"<html><body><ul>{posts}</ul></body></html>")) or ""
    assert text.split("\n") == [line for _, line in said]


def test_posts_whose_text_is_drawn_in_a_blockquote_keep_it_but_not_their_quotes() -> None:
    # an engine that draws each message as ``<blockquote class="messageText">``; a reply
    # quotes the first post in a ``<blockquote class="quoteBox">``
    said = (
        "My apple tree drops half its fruit in June before any of it is ripe.",
        "That is the June drop: the tree sheds what it cannot feed, thin the rest by hand.",
    )
    posts = (
        f"<li class='message'><blockquote class='messageText SelectQuoteContainer'>{said[0]}"
        "</blockquote></li>"
        "<li class='message'><blockquote class='messageText SelectQuoteContainer'>"
        f"<blockquote class='quoteBox'>{said[0]}</blockquote>{said[1]}</blockquote></li>"
    )
    text = thread_posts(load_html(f"<html><body><ol>{posts}</ol></body></html>")) or ""
    assert text.split("\n") == list(said)


def test_a_bare_blockquote_stays_unless_it_names_who_wrote_it() -> None:
    # the poster quotes a manual (kept); a reply quotes the poster ("… wrote:", dropped)
    source = "Tighten the crank bolts to forty newton metres and check them after a week."
    posts = (
        "<div class='post'><p>The manual of my bike says:</p>"
        f"<blockquote>{source}</blockquote><p>Is that enough for steel cranks?</p></div>"
        "<div class='post'><blockquote><b>rider_kim wrote:</b> The manual of my bike says"
        "</blockquote><p>Forty is right, steel or not.</p></div>"
    )
    text = thread_posts(load_html(f"<html><body>{posts}</body></html>")) or ""
    assert text.split("\n") == [
        "The manual of my bike says:",
        source,
        "Is that enough for steel cranks?",
        "Forty is right, steel or not.",
    ]


def test_posts_named_msg_are_read_as_posts() -> None:
    said = (
        "Does the cartridge version of the puzzle game have the bonus levels?",
        "Yes, the bonus levels unlock after the last world on both versions.",
        "Thanks, I will buy the cartridge then.",
    )
    posts = "".join(f"<div class='msg_body'><p>{line}</p></div>" for line in said)
    text = thread_posts(load_html(f"<html><body>{posts}</body></html>")) or ""
    assert text.split("\n") == list(said)


def test_a_thread_drawn_by_scripts_gives_its_declared_opening_post() -> None:
    article = extracted(
        "forum-scripted", "https://cargo.example/t/winter-tyres-on-a-cargo-bike/812"
    )
    assert article.text is not None
    assert article.text.startswith("Has anyone fitted studded winter tyres")
    assert "two children on the back" in article.text
    assert "JavaScript" not in article.text


def test_repeated_containers_that_are_not_the_thread_leave_trafilaturas_text() -> None:
    page = (
        "<html><body><main><h1>Shed roof leaks</h1>"
        "<div class='thread'><p>"
        + "The felt on my shed roof has split along the ridge and water drips onto the bench. " * 6
        + "</p><p>"
        + "I patched it with tape but the tape lifts after each frost, so what lasts longer? " * 4
        + "</p></div></main><aside><ul>"
        + "".join(
            f"<li class='post-link'><a href='/t/{i}'>Topic {i}</a> <b>x</b></li>" for i in range(8)
        )
        + "</ul></aside></body></html>"
    )
    assert thread_posts(load_html(page)) is not None  # the related-topic links repeat
    text = forum_text(load_html(page), "https://sheds.example/threads/roof.1/")
    assert text is not None
    assert "The felt on my shed roof has split" in text
    assert "Topic 3" not in text


def test_posts_cover_trafilaturas_text_only_when_they_hold_most_of_it() -> None:
    thread = "first post about hinges\nsecond post about screws and hinges"
    assert covers(thread, "first post about hinges")
    assert not covers("Topic 1\nTopic 2", thread)
    assert covers(thread, None)  # trafilatura found nothing: the posts are all there is


def test_a_page_of_endless_posts_is_read_only_up_to_the_cap() -> None:
    posts = "".join(f"<div class='post'><p>reply number {i}</p></div>" for i in range(6_000))
    text = thread_posts(load_html(f"<html><body>{posts}</body></html>"))
    assert text is not None
    lines = text.split("\n")
    assert lines[0] == "reply number 0"
    assert len(lines) == MAX_CANDIDATES  # the posts after the cap are not looked at


def test_posts_stand_when_trafilatura_finds_less_than_the_pages_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = "Does anyone know what the two round holes in the back of this case are for?"
    said = (
        ("Rabbids", summary + " The manual says nothing about them, yet they look deliberate."),
        ("DevBiker", "The rear one is for the lighting hub's cable, the bottom one for a fan hub."),
    )
    posts = "".join(
        f"<article class='cPost'><h3>{who}</h3><div class='cPost_content'><p>{text}</p></div>"
        "</article>"
        for who, text in said
    )
    head = f"<head><meta name='description' content='{summary}'></head>"
    page = f"<html>{head}<body>{posts}</body></html>"
    # trafilatura reads a consent manager's headings (a page it cannot read as a thread)
    monkeypatch.setattr(
        profile_forum, "main_text", lambda *_a, **_k: "Privacy Preference Center\nManage Consent"
    )
    text = forum_text(load_html(page), "https://cases.example/forums/topic/1-holes/")
    assert text is not None
    assert "The rear one is for the lighting hub" in text  # the reply, not only the summary
    assert "Rabbids" in text
    assert "Privacy" not in text


def test_an_opening_post_drawn_in_another_container_than_the_replies_is_kept() -> None:
    opening = "<div class='card js-post'><p>My sourdough starter smells of nail varnish.</p></div>"
    replies = "".join(
        f"<article class='reply js-post'><p>{said}</p></article>"
        for said in (
            "That smell means it is hungry: feed it twice a day.",
            "Discard more of it before each feed, then it calms down.",
        )
    )
    text = thread_posts(load_html(f"<html><body>{opening}{replies}</body></html>")) or ""
    assert text.split("\n") == [
        "My sourdough starter smells of nail varnish.",
        "That smell means it is hungry: feed it twice a day.",
        "Discard more of it before each feed, then it calms down.",
    ]


def test_a_highlighted_answer_joins_the_other_answers() -> None:
    answers = "".join(
        f"<div class='answer{extra}'><p>{said}</p><p>{said} Really.</p></div>"
        for extra, said in (
            ("", "Use a rubber mallet."),
            (" answer_accepted", "Glue the joint first."),
            ("", "Clamp it overnight."),
        )
    )
    meta = "".join(
        f"<div class='answer_meta'><p>{i} votes, asked by someone</p></div>" for i in range(3)
    )
    text = thread_posts(load_html(f"<html><body>{answers}{meta}</body></html>")) or ""
    assert "Glue the joint first." in text
    assert "Use a rubber mallet." in text


def test_a_quote_of_a_post_not_on_the_page_stays_but_a_signature_does_not() -> None:
    # the first reply quotes a post of an earlier page (its only copy here); the second quotes
    # the first reply, which the page shows; a signature drawn as a quote is never the post's
    earlier = "Hang the shed door on three hinges or the frame will sag within a winter."
    said = "Two stout hinges are enough for a light door of cedar boards."
    posts = (
        f"<div class='post'><blockquote class='quote'><b>mo wrote:</b><p>{earlier}</p>"
        f"</blockquote><p>{said}</p>"
        "<blockquote class='signature'><p>Sheds built to last since nineteen ninety</p>"
        "</blockquote></div>"
        f"<div class='post'><blockquote class='quote'><b>jo wrote:</b><p>{said}</p></blockquote>"
        "<p>Cedar is light, agreed.</p></div>"
    )
    text = thread_posts(load_html(f"<html><body>{posts}</body></html>")) or ""
    assert earlier in text
    assert text.count(said) == 1
    assert "Sheds built to last" not in text
    assert "Cedar is light, agreed." in text


def test_a_posts_user_panel_gives_only_the_posters_name() -> None:
    panel = (
        "<div class='message-user'><h4>{who}</h4><p>{rank}</p><dl><dt>Joined</dt>"
        "<dd>{joined}</dd><dt>Messages</dt><dd>{count}</dd></dl></div>"
    )
    posts = "".join(
        f"<div class='message'>{panel.format(who=who, rank=rank, joined=joined, count=count)}"
        f"<div class='message-body'><p>{said}</p></div></div>"
        for who, rank, joined, count, said in (
            ("ana", "Well-known member", "Mar 3, 2011", "4,120", "My kiln trips its breaker."),
            ("bo", "Newcomer", "Jun 9, 2024", "12", "Check the element for a short."),
        )
    )
    text = thread_posts(load_html(f"<html><body>{posts}</body></html>")) or ""
    assert text.split("\n") == [
        "ana",
        "My kiln trips its breaker.",
        "bo",
        "Check the element for a short.",
    ]
