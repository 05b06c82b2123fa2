"""User-facing errors: one clear line naming the input and the reason, never a traceback.

In: an input name and a reason. Out: an exception the CLI prints as ``input: reason``.
"""


class MarsadError(Exception):
    """An error caused by the user's input or settings (bad file, bad URL, bad option)."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
