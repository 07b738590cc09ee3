"""An image loader that fails loudly, before decoding where it can.

mmcv's ``LoadImageFromFile`` turns a corrupt frame into ``AttributeError:
'NoneType' object has no attribute 'shape'`` (cv2 returns None), says nothing
about which file, and decodes whatever the header promises: a 10000 x 10000
header allocates 300 MB per frame before anything can object. Some OpenCV
builds also decode a JPEG cut short and fill the missing rows with grey, a
silently wrong frame. :class:`LoadImageFromFileChecked` is a drop-in
replacement (same arguments, same decoded pixels) that checks, in order:
the file exists, its header names a known image format and at most
``max_pixels`` pixels (read from the header with Pillow, nothing decoded), a
JPEG's data runs to its end-of-image marker, and the decoder returned an
image. Every error names the file.
"""
import io
import warnings
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine import fileio
from mmtrack.registry import TRANSFORMS
from PIL import Image

from ...utils.config_checks import check_number

__all__ = [
    'DEFAULT_MAX_PIXELS', 'ImageLoadError', 'ImageTooLargeError',
    'jpeg_is_complete', 'LoadImageFromFileChecked'
]

# 50 megapixels: an 8K frame (7680 x 4320, 33 MP) passes; a 10000 x 10000
# header (100 MP, 300 MB as BGR uint8) is refused.
DEFAULT_MAX_PIXELS = 50_000_000

# Markers that stand alone, without a length field: TEM, RST0-7, SOI, EOI.
_STANDALONE = {0x01, *range(0xD0, 0xD8), 0xD8, 0xD9}


class ImageLoadError(ValueError):
    """An image file that exists but cannot or may not be decoded.

    Args:
        path (str): The image file.
        message (str): What is wrong with it.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f'image {path} {message}')


class ImageTooLargeError(ImageLoadError):
    """An image whose header names more pixels than allowed; raised even
    with ``ignore_empty``, since the limit is a setting, not bad data."""


def _skip_entropy_data(data: bytes, pos: int) -> int:
    """Index of the first marker after the entropy-coded data at ``pos``,
    or -1 if the data ends first. Inside the data 0xFF is followed by 0x00
    (byte stuffing), a restart marker or more 0xFF fill bytes."""
    while True:
        pos = data.find(b'\xff', pos)
        if pos < 0 or pos + 1 >= len(data):
            return -1
        nxt = data[pos + 1]
        if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
            pos += 1
            continue
        return pos


def jpeg_is_complete(data: bytes) -> bool:
    """Whether JPEG bytes run from their start-of-image to an end-of-image
    marker (data after it, such as an appended video, is ignored).

    Walks the marker segments rather than searching for ``FF D9`` from the
    end, which embedded thumbnails and trailing data can fool.

    Args:
        data (bytes): The whole file, starting with ``FF D8``.

    Returns:
        bool: False if the stream ends before its end-of-image marker.
    """
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            # Junk between segments: decoders skip to the next marker.
            pos = data.find(b'\xff', pos)
            if pos < 0:
                return False
            continue
        if pos + 1 >= len(data):
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return True
        if marker in _STANDALONE:
            pos += 2
            continue
        if pos + 4 > len(data):
            return False
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], 'big')
        if pos > len(data):
            return False
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            pos = _skip_entropy_data(data, pos)
            if pos < 0:
                return False
    return False


@TRANSFORMS.register_module()
class LoadImageFromFileChecked(LoadImageFromFile):
    """``LoadImageFromFile`` that names the file on every failure and
    refuses oversized images before decoding them.

    Args:
        to_float32 (bool): Convert the image to float32. Defaults to False.
        color_type (str): ``mmcv.imfrombytes`` flag. Defaults to 'color'.
        imdecode_backend (str): Decoder backend. Defaults to 'cv2'.
        file_client_args (dict, optional): Deprecated file client arguments
            (as mmcv's). Defaults to None.
        ignore_empty (bool): Return None instead of raising for a missing or
            undecodable file (as mmcv's; mmengine datasets then draw another
            sample). An oversized image always raises. Defaults to False.
        max_pixels (int): Largest ``width * height`` accepted, read from the
            header. Defaults to ``DEFAULT_MAX_PIXELS`` (50 MP).
        backend_args (dict, optional): mmengine file backend arguments.
            Defaults to None.
    """

    def __init__(self,
                 to_float32: bool = False,
                 color_type: str = 'color',
                 imdecode_backend: str = 'cv2',
                 file_client_args: Optional[dict] = None,
                 ignore_empty: bool = False,
                 max_pixels: int = DEFAULT_MAX_PIXELS,
                 *,
                 backend_args: Optional[dict] = None) -> None:
        super().__init__(
            to_float32=to_float32,
            color_type=color_type,
            imdecode_backend=imdecode_backend,
            file_client_args=file_client_args,
            ignore_empty=ignore_empty,
            backend_args=backend_args)
        # A number, not only an int, so that 5e7 works; truncated below.
        self.max_pixels = int(check_number('max_pixels', max_pixels, 1))

    def _read_bytes(self, filename: str) -> bytes:
        """The file's bytes through the configured file backend."""
        if self.file_client_args is not None:
            client = fileio.FileClient.infer_client(self.file_client_args,
                                                    filename)
            return client.get(filename)
        return fileio.get(filename, backend_args=self.backend_args)

    def _check_header(self, filename: str, data: bytes) -> None:
        """Refuse unknown formats and oversized images from the header."""
        try:
            with warnings.catch_warnings():
                # Pillow's own bomb warning at 89 MP; our limit decides.
                warnings.simplefilter('ignore', Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as img:
                    width, height = img.size
        except Image.DecompressionBombError as err:
            raise ImageTooLargeError(
                filename, f'is too large to decode ({err}); the limit is '
                f'max_pixels={self.max_pixels}') from None
        except (OSError, ValueError, SyntaxError) as err:
            # Pillow's UnidentifiedImageError is an OSError.
            raise ImageLoadError(
                filename, 'has no readable image header (not an image, or a '
                f'format Pillow does not know: {err})') from None
        if width * height > self.max_pixels:
            raise ImageTooLargeError(
                filename, f'is {width}x{height} pixels, more than max_pixels='
                f'{self.max_pixels}; refused before decoding (raise '
                'max_pixels in the loading transform to accept it)')
        if width <= 0 or height <= 0:
            raise ImageLoadError(filename,
                                 f'has an empty size {width}x{height}')

    def _decode(self, filename: str, data: bytes) -> np.ndarray:
        """Decode checked bytes; refuse what the decoder cannot read."""
        if data[:2] == b'\xff\xd8' and not jpeg_is_complete(data):
            raise ImageLoadError(
                filename, 'is a truncated JPEG (no end-of-image marker); '
                'decoders would fill the missing rows with grey')
        try:
            img = mmcv.imfrombytes(
                data, flag=self.color_type, backend=self.imdecode_backend)
        except Exception as err:  # decoders raise anything; keep the cause
            raise ImageLoadError(filename,
                                 f'cannot be decoded ({err})') from err
        if img is None:
            raise ImageLoadError(filename, 'cannot be decoded (corrupt data)')
        return img

    def transform(self, results: dict) -> Optional[dict]:
        """Load the image at ``results['img_path']``.

        Args:
            results (dict): With ``img_path``.

        Returns:
            dict | None: ``results`` with ``img``, ``img_shape`` and
            ``ori_shape``; None for a missing or undecodable file when
            ``ignore_empty``.

        Raises:
            FileNotFoundError: The file does not exist.
            ImageTooLargeError: More than ``max_pixels`` pixels.
            ImageLoadError: Empty file, unknown format, truncated or
                undecodable image.
        """
        filename = results['img_path']
        try:
            try:
                data = self._read_bytes(filename)
            except FileNotFoundError:
                raise FileNotFoundError(
                    f'image {filename} not found') from None
            if not data:
                raise ImageLoadError(filename, 'is an empty file')
            self._check_header(filename, data)
            img = self._decode(filename, data)
        except (FileNotFoundError, ImageLoadError) as err:
            if self.ignore_empty and not isinstance(err, ImageTooLargeError):
                return None
            raise
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{super().__repr__()[:-1]}, max_pixels={self.max_pixels})'
