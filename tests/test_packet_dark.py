"""The packet in the learner's colour scheme: dark when the system asks for it, light otherwise.

Chromium opens the built sample course from disk, as in test_packet_browser.py, with
`prefers-color-scheme` emulated. Axe finds nothing in either scheme on each page and
state, and the surfaces a learner reads on (page, cards, choices, feedback, fields)
are really dark in dark: a colour the stylesheet left light would show as a bright
patch, or as light text on it.
"""

from __future__ import annotations

import re

import pytest

from test_packet_browser import (  # noqa: F401  (fixtures)
    answer_all,
    course,
    expect,
    offline,
    packet,
    run_axe,
    url,
)
from test_packet_journey import limited, passed, put_progress

SCHEMES = ("light", "dark")


def luminance(css_colour: str) -> float:
    """The relative luminance (WCAG) of a computed `rgb(...)` or `rgba(...)` colour."""
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", css_colour)[:3])

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def background(page, selector: str, brightest=max) -> float:
    """The luminance of the background of the brightest element `selector` finds (or the darkest, with min)."""
    colours = page.locator(selector).evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert colours, selector
    return brightest(luminance(colour) for colour in colours)


def text_colour(page, selector: str) -> float:
    return luminance(page.locator(selector).first.evaluate("e => getComputedStyle(e).color"))


# What may be light on a dark page: fills that carry dark words or none (buttons, the progress
# meter, a checked box, a done mark), pictures, and the certificate, a sheet of paper.
LIGHT_ALLOWED = ".button, .meter-fill, input, img, video, .module-number, .map-dot, .completion-badge, .certificate, .certificate *"

LIGHT_PATCHES = """allowed => [...document.querySelectorAll('body *')].filter(e => {
  const [r, g, b, a = 1] = (getComputedStyle(e).backgroundColor.match(/[\\d.]+/g) || []).map(Number);
  if (r === undefined || a < .5 || !e.getClientRects().length || e.matches(allowed)) return false;
  const linear = c => (c /= 255) <= .03928 ? c / 12.92 : ((c + .055) / 1.055) ** 2.4;
  return .2126 * linear(r) + .7152 * linear(g) + .0722 * linear(b) > .3;
}).map(e => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join(''))"""


def light_patches(page) -> list[str]:
    """Every shown element of a dark page whose own background is light, but for the allowed fills."""
    return page.evaluate(LIGHT_PATCHES, LIGHT_ALLOWED)


def open_in(offline, scheme: str, address: str):
    page = offline.context.new_page()
    page.emulate_media(color_scheme=scheme)
    page.goto(address)
    return page


def assert_page_is(page, scheme: str) -> None:
    body, ink = background(page, "body"), text_colour(page, "body")
    if scheme == "dark":
        assert body < 0.2 and ink > 0.5, (body, ink)
    else:
        assert body > 0.8 and ink < 0.1, (body, ink)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_home_page_follows_the_colour_scheme_and_axe_finds_nothing(offline, packet, scheme, js_packages):
    page = open_in(offline, scheme, url(packet))
    assert_page_is(page, scheme)
    if scheme == "dark":
        for surface in (".module-card", ".progress-card", ".fact", ".results", ".site-footer", ".badge-new"):
            assert background(page, surface) < 0.2, surface
        assert light_patches(page) == []
    assert run_axe(page, js_packages) == []
    # The reset dialog is a surface of its own, not the browser's white.
    page.locator('[data-cp="reset"]').click()
    dialog = page.locator('[data-cp="reset-dialog"]')
    expect(dialog).to_be_visible()
    if scheme == "dark":
        assert background(page, '[data-cp="reset-dialog"]') < 0.2
    assert run_axe(page, js_packages) == []


@pytest.mark.parametrize("number", range(6))
def test_a_quiz_in_dark_before_and_after_wrong_answers_has_no_light_patch_and_axe_finds_nothing(offline, packet, course, js_packages, number):
    module = course.modules[number]
    page = open_in(offline, "dark", url(packet, f"{module.id}.html"))
    assert_page_is(page, "dark")
    assert run_axe(page, js_packages) == []
    answer_all(page, module, right=False)
    hint = page.locator('[data-cp="hint-toggle"]')
    if hint.count():
        hint.first.click()
    shown = [
        ".quiz", ".choice label", ".order-item", ".match-row.is-incorrect", ".feedback.is-incorrect",
        ".feedback.is-saved", ".hint:not([hidden])", "input[type=text]", "select", "textarea", ".result-score",
        '[data-cp="quiz-result"]', ".objectives", ".toc", ".prose table", ".admonition", ".callout", ".media",
    ]
    for surface in shown:
        if page.locator(surface).count():
            assert background(page, surface) < 0.2, surface
    assert light_patches(page) == []
    # Form controls draw their own parts (arrows, scroll bars) in the dark scheme too.
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "dark"
    assert run_axe(page, js_packages) == []


def test_out_of_attempts_in_dark_reads_and_axe_finds_nothing(offline, packet, course, js_packages):
    index, module = limited(course)
    page = open_in(offline, "dark", url(packet, f"{module.id}.html"))
    for attempt in range(module.quiz.max_attempts):
        answer_all(page, module, right=False)
        if attempt < module.quiz.max_attempts - 1:
            page.locator('[data-cp="retry"]').click()
    expect(page.locator('[data-cp="quiz-result"]')).to_contain_text("Ask your trainer to reset this quiz.")
    assert background(page, '[data-cp="quiz-result"]') < 0.2
    assert run_axe(page, js_packages) == []
    home = open_in(offline, "dark", url(packet))
    expect(home.locator('[data-cp="locked"]')).to_be_visible()
    assert background(home, '[data-cp="locked"]') < 0.2
    assert light_patches(page) == [] and light_patches(home) == []
    assert run_axe(home, js_packages) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_completion_page_with_the_certificate_in_each_scheme_and_axe_finds_nothing(offline, packet, course, js_packages, scheme):
    page = open_in(offline, scheme, url(packet, "completion.html"))
    assert_page_is(page, scheme)
    assert run_axe(page, js_packages) == []  # what is left to do
    put_progress(page, course, {i: passed() for i in range(len(course.modules))})
    page.locator('[data-cp="certificate-name"]').fill("Ada Lovelace")
    expect(page.locator(".certificate")).to_contain_text("Ada Lovelace")
    assert_page_is(page, scheme)
    # The certificate is a sheet of paper in both schemes, its words dark on it.
    assert background(page, ".certificate") > 0.8
    for words in (".certificate-title", ".certificate-name", ".certificate-course", ".certificate-meta"):
        assert text_colour(page, words) < 0.1, words
    if scheme == "dark":
        assert background(page, '[data-cp="certificate-name"]') < 0.2
        assert light_patches(page) == []
    assert run_axe(page, js_packages) == []


def test_print_stays_light_when_the_screen_is_dark(offline, packet, course):
    module = course.modules[1]
    page = open_in(offline, "dark", url(packet, f"{module.id}.html"))
    answer_all(page, module, right=False)
    page.emulate_media(media="print", color_scheme="dark")
    assert_page_is(page, "light")
    for surface in (".choice label", ".feedback.is-incorrect", ".admonition, .callout"):
        assert background(page, surface, brightest=min) > 0.8, surface


def test_the_single_file_is_dark_too(offline, sample_build, course, js_packages):
    page = open_in(offline, "dark", (sample_build / f"{course.id}.html").as_uri())
    expect(page.locator("#view-home")).to_be_visible()
    assert_page_is(page, "dark")
    assert background(page, ".module-card") < 0.2
    assert run_axe(page, js_packages) == []
