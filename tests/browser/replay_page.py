"""A check shared by the pages' browser tests: a training replay draws, and its slider moves the frames."""

from __future__ import annotations

from playwright.sync_api import expect

# Sum of every finite number in the traces' y and z: changes when a frame changes what is drawn.
SIGNATURE = """gd => {
  let s = 0;
  const walk = (a) => { for (const x of a) { if (typeof x === 'number') { if (Number.isFinite(x)) s += x; }
                                            else if (x && x.length !== undefined) walk(x); } };
  for (const t of gd._fullData) for (const k of ['y', 'z']) if (t[k]) walk(t[k]);
  return s;
}"""


def check_replay(page, section: str, name: str, min_frames: int = 15) -> None:
    """Assert the replay `name` of the experiment `section` draws with its frames at the last epoch,
    that dragging its slider back to the start shows epoch 0 with other data, and that the section's
    loss curve (if any) marks that epoch."""
    fig = page.locator(f"#exp-{section} [data-figure={name}]")
    expect(fig.locator(".main-svg").first).to_be_visible()
    n_frames = fig.evaluate("gd => gd._transitionData._frames.length")
    assert n_frames >= min_frames
    assert fig.evaluate("gd => gd._fullLayout.sliders[0].active") == n_frames - 1
    last = fig.evaluate("gd => gd._transitionData._frames[gd._transitionData._frames.length - 1].name")
    expect(fig.locator(".slider-group > .slider-label")).to_have_text(f"epoch {last}")
    final = fig.evaluate(SIGNATURE)

    fig.scroll_into_view_if_needed()
    rail = fig.locator(".slider-rail-touch-rect").bounding_box()
    page.mouse.click(rail["x"] + 2, rail["y"] + rail["height"] / 2)
    expect(fig.locator(".slider-group > .slider-label")).to_have_text("epoch 0", timeout=10_000)
    assert fig.evaluate("gd => gd._fullLayout.sliders[0].active") == 0
    assert fig.evaluate(SIGNATURE) != final
    expect(page.locator(f"#exp-{section}")).to_have_attribute("data-replay-epoch", "0")
    loss = page.locator(f"#exp-{section} [data-figure=loss]")
    if loss.count():
        assert loss.evaluate("gd => (gd.layout.shapes || []).some(s => s.x0 === 0 && s.x1 === 0)")
