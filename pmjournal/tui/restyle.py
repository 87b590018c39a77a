"""Styling done once where Textual did it twice or more: a form's editors, the first screen."""


class StyledOnMount:
    """Mixed into a form's editors: no restyling before the widget is mounted.

    Textual restyles a widget and each of its component classes whenever one of its
    classes changes, mounted or not. `compact=True` and the classes a row gives its
    editor change classes while the form is being composed, so most editors were styled
    once or twice before Textual styled them for good as it mounted them: 24 of the 184
    stylesheet applications of opening a decision form, about 7% of its CPU. Until it
    has a parent nothing is shown: mounting styles it with every class it has by then."""

    def update_node_styles(self, animate: bool = True) -> None:
        if self._parent is not None:
            super().update_node_styles(animate)


class ResumesStyled:
    """Mixed into the trail, the app's first screen: not restyled whole as it first resumes.

    Textual sends the screen it starts with a ScreenResume, which restyles the screen and
    every widget in it, just after mounting styled each of them with the app's whole
    stylesheet and theme: 6 of the 11 ms of restyling an app start did (demo journal).
    Later resumes (back from a form, a theme or a language switched meanwhile) restyle
    as before. Not for a screen pushed later: a screen's own CSS_PATH read on its first push
    is only in the stylesheet after the screen was styled, and the resume is what styles
    it with that CSS."""

    _resumed_before = False

    def on_screen_resume(self, event) -> None:
        # Runs before Screen's own handler, which reads refresh_styles.
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False
