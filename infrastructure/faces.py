"""[14] The counter's face enrolment behind the FaceEmbedder port: an embedding function (the kiosk's insightface
models, wired by api/__main__.py when MOTCUA_FACE_MODEL_DIR is set) whose refusals become FaceImageError."""

from __future__ import annotations

from collections.abc import Callable

from application.card_returns import FaceImageError

Embed = Callable[[bytes], tuple[list[float], str]]
MAX_IMAGE = 4 * 1024 * 1024


class CounterFaces:
    """Implements application.ports.FaceEmbedder; `refused` are the embedder's errors that mean a bad photo."""

    def __init__(self, embed: Embed | None, refused: tuple[type[Exception], ...] = (ValueError,)) -> None:
        self._embed, self._refused = embed, refused

    def embed(self, image: bytes) -> tuple[list[float], str]:
        if self._embed is None:
            raise FaceImageError(
                "no face model is installed on this server (MOTCUA_FACE_MODEL_DIR)",
                "Máy chủ chưa cài mô hình nhận diện khuôn mặt nên chưa lấy được mẫu khuôn mặt.",
            )
        if not image or len(image) > MAX_IMAGE:
            raise FaceImageError("the photo is empty or larger than 4 MiB", "Ảnh khuôn mặt trống hoặc lớn hơn 4 MB.")
        try:
            return self._embed(image)
        except self._refused as error:  # the reason names no person: it is the detector's, about the picture
            raise FaceImageError(
                f"no single readable face in the photo ({type(error).__name__})",
                "Ảnh chưa có đúng một khuôn mặt rõ nét. Ông/Bà vui lòng nhìn thẳng vào camera và chụp lại.",
            ) from None
